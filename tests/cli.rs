//! The binary as a self-hoster runs it: first start on an empty folder, user
//! management from the shell, and a clear one-line error when the database is away.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_quillbook");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quillbook-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A bare HTTP/1.1 GET: status line and body.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(data_dir: &Path, port: u16) -> Server {
    let child = Command::new(BIN)
        .args(["--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("QUILLBOOK_SECRET_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start quillbook");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http_get(port, "/healthz").is_some_and(|(s, _)| s == 200) {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server did not answer /healthz within 30 s");
}

#[test]
fn first_start_creates_the_data_folder_database_and_key() {
    let dir = temp_dir("first-start");
    let port = free_port();
    let server = start(&dir, port);
    assert!(dir.join("quillbook.db").exists());
    let key = dir.join("secret.key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let (status, body) = http_get(port, "/healthz").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("\"database\":\"ok\""));
    let (status, _) = http_get(port, "/").unwrap();
    assert_eq!(status, 303, "a fresh site leads to /setup");
    let key_before = std::fs::read(&key).unwrap();
    drop(server);

    // The key survives a restart, so sessions do too.
    let server = start(&dir, port);
    assert_eq!(std::fs::read(&key).unwrap(), key_before);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

fn run(args: &[&str], dir: &Path, stdin: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_commands_read_the_password_from_stdin() {
    let dir = temp_dir("users");
    let out = run(&["migrate"], &dir, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(
        &[
            "user",
            "add",
            "Root",
            "--email",
            "root@example.com",
            "--role",
            "admin",
        ],
        &dir,
        "a long enough password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created root (admin)"));

    let out = run(
        &["user", "add", "root", "--email", "root@example.com"],
        &dir,
        "a long enough password\n",
    );
    assert!(!out.status.success(), "a taken username is refused");

    let out = run(
        &["user", "add", "shorty", "--email", "s@example.com"],
        &dir,
        "short\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));

    let out = run(&["user", "set-role", "root", "author"], &dir, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("root is now author"));

    let out = run(
        &["user", "reset-password", "root"],
        &dir,
        "another long password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(&["user", "set-role", "nobody", "author"], &dir, "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user named nobody"));

    let out = run(&["backup"], &dir, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(Path::new(&path).exists(), "backup written to {path}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_database_is_a_one_line_error_and_exit_code_1() {
    let dir = temp_dir("unreachable");
    let port = free_port();
    let out = Command::new(BIN)
        .args(["--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&dir)
        .env(
            "DATABASE_URL",
            format!(
                "postgres://postgres@127.0.0.1:{}/none?connect_timeout=2",
                free_port()
            ),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("cannot connect to the database"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let out = Command::new(BIN)
        .args(["migrate", "--data-dir"])
        .arg(&dir)
        .env("DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    let _ = std::fs::remove_dir_all(&dir);
}
