//! `spawn_app`: the whole app on a fresh database, driven through real forms,
//! real CSRF tokens and real cookies. The backend is SQLite (a new file per test)
//! unless `TEST_DATABASE_URL` names a Postgres server: then each test gets its own
//! database cloned from a migrated template (fast, and no state shared between tests).
#![allow(dead_code)]

pub mod http;
pub mod server;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use actix_http::Request;
use actix_service::boxed::{self, BoxService};
use actix_service::ServiceExt;
use actix_web::body::{to_bytes, BoxBody};
use actix_web::cookie::Cookie;
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::{test, web};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use quillbook::app::{self, AppState};
use quillbook::config::Config;
use quillbook::db::{Db, DbConn};

pub const PASSWORD: &str = "correct horse battery";

/// A line on the terminal even though cargo test captures test output: written
/// straight to the process's stderr, not through `eprintln!`.
pub fn notice(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "note: {message}");
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

type Svc = BoxService<Request, ServiceResponse<BoxBody>, actix_web::Error>;

/// Where the test's database lives; dropped with the test.
enum TestDb {
    Sqlite { dir: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut conn) = PgConnection::establish(admin_url) {
                    let _ =
                        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// `postgres://user@host/db?x` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{root}/{name}{query}")
}

fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// One migrated template per test process; databases left by dead test
/// processes are dropped on the way.
fn postgres_template(admin_url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let pid = std::process::id();
        let name = format!("qb_tpl_{pid}");
        let mut admin = PgConnection::establish(admin_url).expect("TEST_DATABASE_URL must connect");
        #[derive(diesel::QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            datname: String,
        }
        use diesel::RunQueryDsl;
        let stale: Vec<Name> =
            diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'qb\\_t%'")
                .load(&mut admin)
                .unwrap_or_default();
        for db in stale {
            let owner = db
                .datname
                .split('_')
                .nth(2)
                .and_then(|p| p.parse::<u32>().ok());
            if owner.is_some_and(|p| p != pid && !process_alive(p)) {
                let _ = admin.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    db.datname
                ));
            }
        }
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop an old template database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the template database");
        // Connecting runs the migrations; dropping the pool frees the template for cloning.
        drop(Db::connect(&with_database(admin_url, &name), 1).expect("migrate the template"));
        name
    })
}

fn fresh_database() -> (String, TestDb) {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let template = postgres_template(&admin_url);
            let name = format!("qb_t_{pid}_{n}");
            // CREATE DATABASE … TEMPLATE needs the template idle; serialise the clones.
            static CLONE: Mutex<()> = Mutex::new(());
            let _guard = CLONE.lock().unwrap_or_else(|e| e.into_inner());
            let mut admin =
                PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL must connect");
            admin
                .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .expect("clone the template database");
            (
                with_database(&admin_url, &name),
                TestDb::Postgres { admin_url, name },
            )
        }
        _ => {
            static NOTICE: OnceLock<()> = OnceLock::new();
            NOTICE.get_or_init(|| {
                notice("TEST_DATABASE_URL is unset: these tests run on SQLite; the Postgres run is skipped");
            });
            let dir = std::env::temp_dir().join(format!("quillbook-test-{pid}-{n}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}", dir.join("quillbook.db").display());
            (url, TestDb::Sqlite { dir })
        }
    }
}

struct Inner {
    svc: Svc,
    state: web::Data<AppState>,
    // Dropped last: the database outlives the app that uses it.
    _db: TestDb,
}

/// The app under test. Make one [`TestClient`] per person using it.
pub struct TestApp {
    inner: Rc<Inner>,
    clients: RefCell<u8>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config::new("http://localhost", vec![7u8; 64])).await
}

/// The app with its public-page cache on (off everywhere else, so tests that change
/// the database behind the app's back see the change at once).
pub async fn spawn_app_with_page_cache(ttl: std::time::Duration) -> TestApp {
    spawn_app_with(Config::new("http://localhost", vec![7u8; 64]).with_page_cache(ttl)).await
}

async fn spawn_app_with(config: Config) -> TestApp {
    let (url, guard) = fresh_database();
    let db = Db::connect(&url, 4).expect("connect to the test database");
    let state = AppState::new(db, config);
    let svc = test::init_service(app::build(state.clone())).await;
    let svc = boxed::service(svc.map(|res: ServiceResponse<_>| res.map_into_boxed_body()));
    TestApp {
        inner: Rc::new(Inner {
            svc,
            state,
            _db: guard,
        }),
        clients: RefCell::new(0),
    }
}

impl TestApp {
    /// A new browser: its own cookies and its own address (127.0.0.N).
    pub fn client(&self) -> TestClient {
        let mut n = self.clients.borrow_mut();
        *n += 1;
        TestClient {
            app: self.inner.clone(),
            jar: RefCell::new(BTreeMap::new()),
            peer: SocketAddr::from(([127, 0, 0, *n], 40000 + u16::from(*n))),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.state.db
    }

    pub fn conn(&self) -> impl std::ops::DerefMut<Target = DbConn> {
        self.inner.state.db.get().expect("test connection")
    }

    pub fn is_postgres(&self) -> bool {
        !self.inner.state.db.target().is_sqlite()
    }

    /// An admin is set up and logged in; returns their client.
    pub async fn admin(&self) -> TestClient {
        let admin = self.client();
        let resp = admin.setup("admin").await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "setup failed: {}",
            resp.body
        );
        admin
    }

    /// A registered user promoted to author (the admin's job), logged in.
    pub async fn author(&self, username: &str) -> TestClient {
        let author = self.member(username).await;
        let id = quillbook::accounts::queries::find_by_username(&mut self.conn(), username)
            .unwrap()
            .expect("registered")
            .id;
        quillbook::accounts::queries::set_role(
            &mut self.conn(),
            id,
            quillbook::accounts::models::Role::Author,
        )
        .unwrap();
        author
    }

    /// A member registers (and is logged in).
    pub async fn member(&self, username: &str) -> TestClient {
        let member = self.client();
        let resp = member.register(username).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "register failed: {}",
            resp.body
        );
        member
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct TestClient {
    app: Rc<Inner>,
    jar: RefCell<BTreeMap<String, String>>,
    peer: SocketAddr,
}

impl TestClient {
    async fn send(&self, req: test::TestRequest) -> Resp {
        let cookies = self
            .jar
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = req.peer_addr(self.peer);
        if !cookies.is_empty() {
            req = req.insert_header((header::COOKIE, cookies));
        }
        let resp = test::call_service(&self.app.svc, req.to_request()).await;
        for value in resp.headers().get_all(header::SET_COOKIE) {
            let Ok(cookie) = Cookie::parse_encoded(value.to_str().unwrap_or_default().to_owned())
            else {
                continue;
            };
            let expired = cookie
                .max_age()
                .is_some_and(|age| age.is_zero() || age.is_negative())
                || cookie.value().is_empty();
            let mut jar = self.jar.borrow_mut();
            if expired {
                jar.remove(cookie.name());
            } else {
                // Keep it encoded exactly as the server sent it.
                let raw = value.to_str().unwrap_or_default();
                let pair = raw.split(';').next().unwrap_or_default();
                if let Some((name, val)) = pair.split_once('=') {
                    jar.insert(name.trim().to_owned(), val.trim().to_owned());
                }
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = to_bytes(resp.into_body()).await.unwrap_or_default();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(test::TestRequest::get().uri(path)).await
    }

    /// Follows redirects (up to 5) like a browser.
    pub async fn get_follow(&self, path: &str) -> Resp {
        let mut resp = self.get(path).await;
        let mut hops = 0;
        while resp.status.is_redirection() && hops < 5 {
            let next = resp.location().unwrap_or("/").to_owned();
            resp = self.get(&next).await;
            hops += 1;
        }
        resp
    }

    /// A form POST exactly as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).expect("encode form");
        self.send(
            test::TestRequest::post()
                .uri(path)
                .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
                .set_payload(body),
        )
        .await
    }

    /// The CSRF token of this browser's session, read from a page as a browser would:
    /// signed-in pages carry it in a meta tag, forms in a hidden field (anonymous
    /// readers get one only once they open a form, such as the login page).
    pub async fn csrf_token(&self) -> String {
        let page = self.get_follow("/").await;
        if let Some(token) =
            extract_meta(&page.body, "csrf-token").or_else(|| extract_hidden(&page.body))
        {
            return token;
        }
        let login = self.get("/login").await;
        extract_hidden(&login.body).expect("the login form carries a csrf token")
    }

    /// A form POST with this session's CSRF token, as a browser submits a form.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all).await
    }

    pub async fn setup(&self, username: &str) -> Resp {
        let email = format!("{username}@example.com");
        self.post(
            "/setup",
            &[
                ("username", username),
                ("email", &email),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await
    }

    pub async fn register(&self, username: &str) -> Resp {
        let email = format!("{username}@example.com");
        self.post(
            "/register",
            &[
                ("username", username),
                ("email", &email),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Resp {
        self.post("/login", &[("username", username), ("password", password)])
            .await
    }

    pub async fn logout(&self) -> Resp {
        self.post("/logout", &[]).await
    }

    /// Writes an article through the editor; returns the redirect's location.
    pub async fn write_article(&self, title: &str, body: &str, tags: &str, status: &str) -> String {
        let resp = self
            .post(
                "/articles",
                &[
                    ("title", title),
                    ("slug", ""),
                    ("body", body),
                    ("tags", tags),
                    ("status", status),
                    ("publish_at", ""),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "saving {title:?} failed: {}",
            resp.body
        );
        resp.location().expect("redirect to the article").to_owned()
    }

    pub fn has_cookies(&self) -> bool {
        !self.jar.borrow().is_empty()
    }
}

fn extract_hidden(html: &str) -> Option<String> {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

fn extract_meta(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"<meta name="{name}" content=""#);
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

impl TestClient {
    pub async fn send_with_header(&self, path: &str, header: (&str, &str)) -> Resp {
        self.send(
            test::TestRequest::get()
                .uri(path)
                .insert_header((header.0.to_owned(), header.1.to_owned())),
        )
        .await
    }

    pub async fn post_with_header(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        header: (&str, &str),
    ) -> Resp {
        let body = serde_urlencoded::to_string(fields).expect("encode form");
        self.send(
            test::TestRequest::post()
                .uri(path)
                .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
                .insert_header((header.0.to_owned(), header.1.to_owned()))
                .set_payload(body),
        )
        .await
    }
}

/// A multipart/form-data body as a browser sends it.
pub fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----quillbooktestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, filename, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestClient {
    /// A multipart POST exactly as given (no token added).
    pub async fn post_multipart_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Resp {
        let (content_type, body) = multipart_body(fields, files);
        self.send(
            test::TestRequest::post()
                .uri(path)
                .insert_header((header::CONTENT_TYPE, content_type))
                .set_payload(body),
        )
        .await
    }

    /// A multipart POST with the session's CSRF token as its first field.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Resp {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        self.post_multipart_raw(path, &all, files).await
    }
}

impl TestClient {
    /// Any request: method, path, content type and raw body bytes.
    pub async fn request(
        &self,
        method: actix_web::http::Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Resp {
        let mut req = test::TestRequest::default().method(method).uri(path);
        if let Some(ct) = content_type {
            req = req.insert_header((header::CONTENT_TYPE, ct.to_owned()));
        }
        self.send(req.set_payload(body)).await
    }
}
