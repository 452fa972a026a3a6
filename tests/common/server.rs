//! The server binary as a child process on a free port, for crash and fault tests.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http::{free_port, HttpClient};

pub struct ServerProcess {
    child: Child,
    pub port: u16,
}

impl ServerProcess {
    /// Starts the binary (`QUILLBOOK_BIN` or cargo's build) and waits for /healthz.
    pub fn start(data_dir: &Path, database_url: Option<&str>, port: Option<u16>) -> Self {
        let bin = std::env::var("QUILLBOOK_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_quillbook").to_owned());
        let port = port.unwrap_or_else(free_port);
        let mut cmd = Command::new(bin);
        cmd.args(["--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            .env_remove("QUILLBOOK_SECRET_KEY")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match database_url {
            Some(url) => cmd.env("DATABASE_URL", url),
            None => cmd.env_remove("DATABASE_URL"),
        };
        let child = cmd.spawn().expect("start the server");
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut client = HttpClient::new(port);
        while Instant::now() < deadline {
            if client.get("/healthz").is_ok_and(|r| r.status == 200) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not answer /healthz within 30 s");
    }

    /// SIGKILL: no shutdown, no flush, as in a crash or power cut of the process.
    pub fn kill_hard(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh Postgres database on the server `TEST_DATABASE_URL` names, dropped
/// afterwards; `None` when the variable is unset.
pub struct PgDatabase {
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(tag: &str) -> Option<Self> {
        let admin = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("qb_{tag}_{}", std::process::id());
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = diesel::PgConnection::establish(&admin).expect("TEST_DATABASE_URL connects");
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let url = super::with_database(&admin, &name);
        Some(Self { name, url })
    }

    /// Ends every connection the app holds to this database, as a restart would.
    pub fn terminate_connections(&self) -> usize {
        use diesel::{Connection, RunQueryDsl};
        let admin = std::env::var("TEST_DATABASE_URL").unwrap();
        let mut conn = diesel::PgConnection::establish(&admin).expect("TEST_DATABASE_URL connects");
        #[derive(diesel::QueryableByName)]
        struct Killed {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            pg_terminate_backend: bool,
        }
        let rows: Vec<Killed> = diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
            self.name
        ))
        .load(&mut conn)
        .unwrap_or_default();
        rows.iter().filter(|r| r.pg_terminate_backend).count()
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        if let Ok(admin) = std::env::var("TEST_DATABASE_URL") {
            if let Ok(mut conn) = diesel::PgConnection::establish(&admin) {
                let _ = conn.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }
}
