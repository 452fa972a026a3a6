//! Browser journeys in headless Chromium, driven through chromedriver, against the
//! real server binary on 127.0.0.1 with a fresh database: a reader, a member, an
//! author and an admin. At 375 px and 1280 px: no sideways scrolling, every control
//! named and reachable by keyboard, and a screenshot of each main page under
//! target/screenshots/. Skipped, with a message, when Chromium is not installed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const PASSWORD: &str = "correct horse battery";
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Kills this run's browser processes, found by their unique profile folder, so no
/// browser outlives a failed test (chromedriver does not take them down with it).
struct BrowserReaper(PathBuf);
impl Drop for BrowserReaper {
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args(["-9", "-f", &self.0.display().to_string()])
            .status();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on port {port}");
}

/// Drops the Postgres database a run made for itself.
struct DroppedDb(Option<String>);
impl Drop for DroppedDb {
    fn drop(&mut self) {
        if let Some(name) = &self.0 {
            let _ = Command::new("dropdb")
                .args([
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "--if-exists",
                    "--force",
                    name,
                ])
                .status();
        }
    }
}

/// The server under test: the release binary when `QUILLBOOK_BIN` names it (CI),
/// else the one cargo built for this test run. On Postgres when `TEST_DATABASE_URL`
/// is set, in a database of its own.
fn start_server(dir: &Path, port: u16) -> (Killed, DroppedDb) {
    let bin = std::env::var("QUILLBOOK_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_quillbook").to_owned());
    let mut cmd = Command::new(bin);
    cmd.args(["--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir)
        .env_remove("QUILLBOOK_SECRET_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let db = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let name = format!("qb_browser_{}", std::process::id());
            let ok = Command::new("createdb")
                .args(["-h", "127.0.0.1", "-U", "postgres", &name])
                .status();
            assert!(
                ok.is_ok_and(|s| s.success()),
                "createdb {name} on the server of {url}"
            );
            cmd.env(
                "DATABASE_URL",
                format!("postgres://postgres@127.0.0.1:5432/{name}"),
            );
            DroppedDb(Some(name))
        }
        _ => {
            cmd.env_remove("DATABASE_URL");
            DroppedDb(None)
        }
    };
    let child = Killed(cmd.spawn().expect("start the server"));
    wait_for_port(port);
    (child, db)
}

struct Browser {
    client: Client,
    base: String,
    shots: PathBuf,
}

impl Browser {
    async fn goto(&self, path: &str) -> Res<()> {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    async fn fill(&self, name: &str, value: &str) -> Res<()> {
        // Within main: the head has a <meta name="description"> too.
        let el = self
            .client
            .find(Locator::Css(&format!("main [name=\"{name}\"]")))
            .await?;
        el.clear().await?;
        el.send_keys(value).await?;
        Ok(())
    }

    async fn click(&self, css: &str) -> Res<()> {
        self.client.find(Locator::Css(css)).await?.click().await?;
        Ok(())
    }

    async fn body(&self) -> Res<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    /// Waits (up to 10 s) for the page to show `text`: a click's navigation may
    /// still be under way.
    async fn expect_text(&self, text: &str) -> Res<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let body = self.body().await.unwrap_or_default();
            if body.contains(text) {
                return Ok(());
            }
            if Instant::now() > deadline {
                panic!("the page never showed {text:?}; it shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 10 s) for the browser to arrive at `path`.
    async fn expect_path(&self, path: &str) -> Res<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.client.current_url().await?;
            if url.path() == path {
                return Ok(());
            }
            if Instant::now() > deadline {
                panic!("expected to be at {path}, still at {url}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn select(&self, name: &str, value: &str) -> Res<()> {
        let el = self
            .client
            .find(Locator::Css(&format!("select[name=\"{name}\"]")))
            .await?;
        el.select_by_value(value).await?;
        Ok(())
    }

    /// At 375 px and 1280 px: no sideways scrolling, every control has a name and
    /// can take keyboard focus; a screenshot of each.
    async fn check_page(&self, path: &str, name: &str) -> Res<()> {
        for width in [375u32, 1280] {
            self.client.set_window_size(width, 900).await?;
            self.goto(path).await?;
            let png = self.client.screenshot().await?;
            std::fs::write(self.shots.join(format!("{name}-{width}.png")), png)?;
            let overflow = self
                .client
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth;",
                    vec![],
                )
                .await?;
            assert!(
                overflow.as_i64().unwrap_or(1) <= 0,
                "{path} scrolls sideways at {width}px by {overflow}px"
            );
            let problems = self
                .client
                .execute(
                    r#"
                    const bad = [];
                    for (const el of document.querySelectorAll('a[href], button, input, select, textarea')) {
                      if (el.type === 'hidden' || el.closest('[aria-hidden="true"]')) continue;
                      const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label')
                        || (el.textContent || '').trim() || el.getAttribute('value');
                      if (!named) bad.push('unnamed ' + el.outerHTML.slice(0, 80));
                      if (el.tabIndex < 0) bad.push('not focusable ' + el.outerHTML.slice(0, 80));
                    }
                    if (document.querySelectorAll('h1').length !== 1) bad.push('h1 count ' + document.querySelectorAll('h1').length);
                    if (!document.documentElement.lang) bad.push('no lang');
                    for (const tag of ['header', 'nav', 'main', 'footer']) if (!document.querySelector(tag)) bad.push('no ' + tag);
                    return bad;"#,
                    vec![],
                )
                .await?;
            let problems: Vec<String> = serde_json::from_value(problems)?;
            assert!(problems.is_empty(), "{path} at {width}px: {problems:?}");
        }
        Ok(())
    }

    /// Logs in with the keyboard alone: Tab to the field, type, Tab, type, Enter.
    async fn keyboard_login(&self, username: &str) -> Res<()> {
        self.goto("/login").await?;
        self.client
            .execute("document.activeElement.blur(); window.focus();", vec![])
            .await?;
        let body = self.client.find(Locator::Css("body")).await?;
        body.send_keys(TAB).await?;
        for _ in 0..40 {
            let id = self
                .client
                .execute("return document.activeElement.id;", vec![])
                .await?;
            if id == json!("username") {
                break;
            }
            self.client.active_element().await?.send_keys(TAB).await?;
        }
        let active = self.client.active_element().await?;
        assert_eq!(
            active.attr("id").await?.as_deref(),
            Some("username"),
            "Tab reaches the username field"
        );
        active.send_keys(username).await?;
        active.send_keys(TAB).await?;
        let password = self.client.active_element().await?;
        assert_eq!(password.attr("id").await?.as_deref(), Some("password"));
        password.send_keys(PASSWORD).await?;
        password.send_keys(ENTER).await?;
        Ok(())
    }

    /// Sets a field's value directly: date inputs take typed text in the browser's
    /// locale order, which a test should not depend on.
    async fn set_value(&self, name: &str, value: &str) -> Res<()> {
        self.client
            .execute(
                "document.querySelector('main [name=\"' + arguments[0] + '\"]').value = arguments[1];",
                vec![json!(name), json!(value)],
            )
            .await?;
        Ok(())
    }

    async fn add_expense(&self, date: &str, amount: &str, category: &str, text: &str) -> Res<()> {
        self.goto("/expenses/new").await?;
        self.set_value("spent_on", date).await?;
        self.fill("amount", amount).await?;
        self.client
            .find(Locator::Css("select[name=\"category_id\"]"))
            .await?
            .select_by_label(category)
            .await?;
        self.fill("description", text).await?;
        self.click("main form button[type=submit]").await?;
        self.expect_path("/expenses").await
    }

    async fn logout(&self) -> Res<()> {
        self.click("form[action=\"/logout\"] button").await?;
        self.expect_text("Log in").await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_member_author_and_admin_journeys() -> Res<()> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "note: SKIPPED browser journeys: they need Debian's chromium and chromium-driver (.ci/run installs them)"
        );
        return Ok(());
    }
    let work = std::env::temp_dir().join(format!("quillbook-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots)?;

    let port = free_port();
    let (_server, _db) = start_server(&work.join("data"), port);
    let driver_port = free_port();
    let _driver = Killed(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    wait_for_port(driver_port);
    let _reaper = BrowserReaper(work.join("chrome"));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic",
                     format!("--user-data-dir={}", work.join("chrome").display())]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await?;
    let b = Browser {
        client,
        base: format!("http://127.0.0.1:{port}"),
        shots,
    };
    let result = journeys(&b).await;
    let _ = b.client.close().await;
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn journeys(b: &Browser) -> Res<()> {
    // First run: every page leads to /setup.
    b.goto("/").await?;
    b.expect_path("/setup").await?;
    b.check_page("/setup", "setup").await?;
    b.fill("username", "admin").await?;
    b.fill("email", "admin@example.com").await?;
    b.fill("password", PASSWORD).await?;
    b.fill("password_confirm", PASSWORD).await?;
    b.click("form[action=\"/setup\"] button[type=submit]")
        .await?;
    b.expect_text("Your site is ready").await?;

    // The admin writes, previews and publishes an article with tags.
    b.goto("/articles/new").await?;
    b.fill("title", "Tomato season").await?;
    b.fill(
        "body",
        "Ripe **now**.\n\n| Kind | Price |\n|---|---|\n| Cherry | 3.20 |\n\n```\nslice();\n```\n",
    )
    .await?;
    b.fill("tags", "Garden, Food, Summer").await?;
    b.click("button[value=preview]").await?;
    b.expect_text("Cherry").await?;
    b.select("status", "published").await?;
    b.click("button[value=save]").await?;
    b.expect_path("/articles/tomato-season").await?;
    b.check_page("/articles/tomato-season", "article").await?;
    b.check_page("/articles/new", "editor").await?;
    b.check_page("/dashboard", "dashboard").await?;
    b.logout().await?;

    // A reader finds it from the home page and from its tag.
    b.check_page("/", "home").await?;
    b.click("a[href=\"/articles/tomato-season\"]").await?;
    b.expect_text("Ripe now.").await?;
    b.click("a[href=\"/tags/garden\"]").await?;
    b.expect_path("/tags/garden").await?;
    b.expect_text("Tomato season").await?;
    b.check_page("/tags", "tags").await?;
    b.check_page("/search?q=tomato", "search").await?;

    // A member registers and comments; the comment waits for moderation.
    b.goto("/register").await?;
    b.fill("username", "mia").await?;
    b.fill("email", "mia@example.com").await?;
    b.fill("password", PASSWORD).await?;
    b.fill("password_confirm", PASSWORD).await?;
    b.click("form[action=\"/register\"] button[type=submit]")
        .await?;
    b.expect_text("Your account is ready").await?;
    b.goto("/articles/tomato-season").await?;
    b.fill("body", "Mine are still green!").await?;
    b.click("form.comment-form button[type=submit]").await?;
    b.expect_text("once a moderator approves it").await?;
    b.check_page("/account", "account").await?;
    b.logout().await?;

    // The admin, with the keyboard alone, logs in and approves it.
    b.check_page("/login", "login").await?;
    b.keyboard_login("admin").await?;
    b.expect_path("/").await?;
    b.check_page("/admin", "admin").await?;
    b.check_page("/admin/comments", "moderation").await?;
    b.expect_text("Mine are still green!").await?;
    b.click("button[formaction*=\"/approve\"]").await?;
    b.expect_text("1 comment approved.").await?;
    b.check_page("/admin/users", "users").await?;
    b.check_page("/admin/settings", "settings").await?;
    b.check_page("/admin/audit", "audit").await?;
    b.logout().await?;
    b.goto("/articles/tomato-season").await?;
    b.expect_text("Mine are still green!").await?;

    // The member keeps expenses: three in two categories, a budget, then the reports.
    b.goto("/login").await?;
    b.fill("username", "mia").await?;
    b.fill("password", PASSWORD).await?;
    b.click("form[action=\"/login\"] button[type=submit]")
        .await?;
    b.expect_path("/").await?;
    b.check_page("/expenses", "expenses").await?;
    b.add_expense("2026-10-03", "12.34", "Groceries", "Market")
        .await?;
    b.add_expense("2026-10-04", "0,10", "Transport", "Bus")
        .await?;
    b.add_expense("2026-10-28", "0.20", "Transport", "Tram")
        .await?;
    b.goto("/expenses/budgets?month=2026-10").await?;
    let groceries: String = serde_json::from_value(
        b.client
            .execute(
                "return [...document.querySelectorAll('input[name^=budget_]')].find(i => i.closest('tr').textContent.includes('Groceries')).name;",
                vec![],
            )
            .await?,
    )?;
    b.fill(&groceries, "10").await?;
    b.click("main form button[type=submit]").await?;
    b.expect_text("€10.00").await?;
    b.check_page("/expenses/budgets?month=2026-10", "budgets")
        .await?;

    b.goto("/reports/monthly?month=2026-10").await?;
    b.expect_text("€12.64").await?; // 12.34 + 0.10 + 0.20, to the cent
    b.expect_text("€0.30").await?; // Transport: 0.10 + 0.20
    b.expect_text("over budget").await?;
    let chart = b.client.execute("const t = document.querySelector('main svg > title'); return t ? t.textContent : null;", vec![]).await?;
    assert!(
        chart.is_string(),
        "the monthly report has a chart with a title"
    );
    b.check_page("/reports/monthly?month=2026-10", "report-monthly")
        .await?;
    b.goto("/reports/yearly?year=2026").await?;
    b.expect_text("€12.64").await?;
    let chart = b.client.execute("const t = document.querySelector('main svg > title'); return t ? t.textContent : null;", vec![]).await?;
    assert!(
        chart.is_string(),
        "the yearly report has a chart with a title"
    );
    b.check_page("/reports/yearly?year=2026", "report-yearly")
        .await?;
    b.check_page("/expenses/categories", "categories").await?;
    b.check_page("/expenses/recurring", "recurring").await?;
    b.check_page("/expenses/import", "import").await?;
    Ok(())
}
