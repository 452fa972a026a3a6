//! Faults: the database's connections are killed under load (Postgres), and the
//! server process is killed with SIGKILL mid-write (SQLite).

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::http::HttpClient;
use common::server::{PgDatabase, ServerProcess};

const PASSWORD: &str = "correct horse battery";

fn set_up_admin(port: u16) -> HttpClient {
    let mut admin = HttpClient::new(port);
    let resp = admin
        .post_form(
            "/setup",
            "/setup",
            &[
                ("username", "admin"),
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .expect("setup");
    assert_eq!(resp.status, 303, "{}", resp.body);
    admin
}

#[test]
fn postgres_connections_killed_under_load_give_503_then_recover() {
    let Some(db) = PgDatabase::create("fault") else {
        common::notice("SKIPPED postgres_connections_killed_under_load: needs Postgres (set TEST_DATABASE_URL; .ci/run does)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("quillbook-fault-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server = ServerProcess::start(&dir, Some(&db.url), None);
    let port = server.port;
    set_up_admin(port);

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::<Result<(u16, bool), String>>::new()));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (stop, seen) = (stop.clone(), seen.clone());
            std::thread::spawn(move || {
                let mut client = HttpClient::new(port);
                while !stop.load(Ordering::Relaxed) {
                    let outcome = client
                        .get("/")
                        .map(|r| (r.status, r.body.contains("Temporarily unavailable")))
                        .map_err(|e| e.to_string());
                    seen.lock().unwrap().push(outcome);
                }
            })
        })
        .collect();
    let mut killed = 0;
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(300));
        killed += db.terminate_connections();
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    let ok = seen.iter().filter(|r| matches!(r, Ok((200, _)))).count();
    let unavailable = seen.iter().filter(|r| matches!(r, Ok((503, true)))).count();
    eprintln!(
        "{} requests while {killed} connections were killed: {ok} × 200, {unavailable} × 503",
        seen.len()
    );
    assert!(killed > 0, "connections were killed");
    for outcome in seen.iter() {
        match outcome {
            Ok((200, _)) | Ok((503, true)) => {}
            other => panic!("a request failed otherwise than with the 503 page: {other:?}"),
        }
    }

    // It recovers by itself: twenty good answers in a row within ten seconds.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut client = HttpClient::new(port);
    let mut streak = 0;
    while streak < 20 {
        assert!(Instant::now() < deadline, "the app did not recover");
        match client.get("/") {
            Ok(r) if r.status == 200 => streak += 1,
            _ => streak = 0,
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
