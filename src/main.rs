//! The `quillbook` command: serve (default), migrate, user management, backup.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use actix_web::HttpServer;
use clap::{Parser, Subcommand};
use quillbook::accounts::models::{Email, NewPassword, Role, Username};
use quillbook::accounts::{password, queries, sessions};
use quillbook::app::{self, AppState};
use quillbook::config::{self, Config, DataArgs, ServerArgs};
use quillbook::db::Db;

/// Quillbook: a self-hosted blog and expense tracker in one binary.
///
/// With no command it serves the site. Data lives in SQLite under --data-dir unless
/// DATABASE_URL names a Postgres database. The session cookie key comes from
/// QUILLBOOK_SECRET_KEY (base64, 64+ bytes) or is generated once into
/// <data-dir>/secret.key. Passwords are read from standard input or a prompt,
/// never from the command line.
#[derive(Parser)]
#[command(name = "quillbook", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve(ServerArgs),
    /// Apply pending database migrations and exit (serve does this too).
    Migrate(DataArgs),
    /// Manage users from the shell.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the SQLite database to <data-dir>/backups/.
    Backup(DataArgs),
    /// Fill an EMPTY database with demo data (articles, comments, a year of
    /// expenses) to try Quillbook out or benchmark it. Every demo account's
    /// password is "demo password".
    SeedDemo {
        /// Multiply the site: N× articles, N commented articles, N members with
        /// 20,000 expenses each.
        #[arg(long, default_value_t = 1)]
        scale: usize,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from stdin or a prompt.
    Add {
        username: String,
        #[arg(long)]
        email: String,
        /// admin, author or member.
        #[arg(long, default_value = "member")]
        role: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set a new password (read from stdin or a prompt) and sign the user out everywhere.
    ResetPassword {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Change a user's role: admin, author or member.
    SetRole {
        username: String,
        role: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(cli.server),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Migrate(data)) => {
            open_db(&data).map(|_| println!("migrations are up to date"))
        }
        Some(Command::User(cmd)) => user_command(cmd),
        Some(Command::Backup(data)) => backup(&data),
        Some(Command::SeedDemo { scale, data }) => seed_demo(scale, &data),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

const POOL_SIZE: u32 = 8;

fn open_db(data: &DataArgs) -> Result<Db, String> {
    Db::connect(&data.database_url(), POOL_SIZE).map_err(|e| e.to_string())
}

/// glibc gives every thread that allocates its own malloc arena; with a blocking
/// pool that is dozens of arenas holding freed memory. Two keep peak RSS about a
/// fifth lower under load (measured with the benchmark's data at scale 100).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called once, at start,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn serve(args: ServerArgs) -> Result<(), String> {
    let db = open_db(&args.data)?;
    let secret = std::env::var("QUILLBOOK_SECRET_KEY").ok();
    let key = config::load_secret_key(secret.as_deref(), &args.data.data_dir)
        .map_err(|e| e.to_string())?;
    let base_url = args
        .base_url
        .clone()
        .unwrap_or_else(|| config::default_base_url(&args.bind));
    let config = Config::new(&base_url, key)
        .with_page_cache(std::time::Duration::from_secs(args.page_cache_seconds));
    let state = AppState::new(db, config);
    let bind = args.bind.clone();
    actix_web::rt::System::new().block_on(async move {
        spawn_recurring_expenses(state.clone());
        let server = HttpServer::new(move || app::build(state.clone()))
            // Database work waits for one of the pool's connections anyway: more
            // blocking threads than connections only add stacks and malloc arenas.
            .worker_max_blocking_threads(POOL_SIZE as usize)
            .bind(&bind)
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?
            .shutdown_timeout(10);
        tracing::info!("Quillbook is serving on {base_url} (listening on {bind})");
        server.run().await.map_err(|e| e.to_string())
    })
}

/// Creates due recurring expenses at start and then every hour. Idempotent (a unique
/// key per occurrence), so restarts and several instances never double-post.
fn spawn_recurring_expenses(state: actix_web::web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await; // the first tick is at once
            let today = chrono::Utc::now().date_naive();
            let result = state
                .db
                .run(move |conn| {
                    quillbook::expenses::run_due(conn, today).map_err(quillbook::db::DbError::from)
                })
                .await;
            match result {
                Ok(0) => {}
                Ok(n) => {
                    // New expenses change their owners' reports.
                    state.page_cache.invalidate();
                    tracing::info!("recurring expenses: {n} created");
                }
                Err(e) => tracing::warn!("recurring expenses: {e}"),
            }
        }
    });
}

/// Reads a password: a prompt on a terminal, otherwise the first line of stdin.
fn read_password(confirm: bool) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        if confirm {
            let again = rpassword::prompt_password("Repeat it: ").map_err(|e| e.to_string())?;
            if again != first {
                return Err("the two passwords do not match".into());
            }
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn user_command(cmd: UserCommand) -> Result<(), String> {
    match cmd {
        UserCommand::Add {
            username,
            email,
            role,
            data,
        } => {
            let username = Username::parse(&username)?;
            let email = Email::parse(&email)?;
            let role = Role::parse(&role)?;
            let pw = read_password(true)?;
            let pw = NewPassword::parse(&pw, &pw)?;
            let db = open_db(&data)?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            if queries::username_taken(&mut conn, username.as_str()).map_err(|e| e.to_string())? {
                return Err(format!("the username {} is taken", username.as_str()));
            }
            let hash = password::hash(pw.as_str())?;
            queries::insert(&mut conn, username.as_str(), email.as_str(), &hash, role)
                .map_err(|e| e.to_string())?;
            println!("created {} ({role})", username.as_str());
            Ok(())
        }
        UserCommand::ResetPassword { username, data } => {
            let pw = read_password(true)?;
            let pw = NewPassword::parse(&pw, &pw)?;
            let db = open_db(&data)?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let user = find_user(&mut conn, &username)?;
            let hash = password::hash(pw.as_str())?;
            queries::set_password(&mut conn, user.id, &hash).map_err(|e| e.to_string())?;
            sessions::delete_all_for_user(&mut conn, user.id).map_err(|e| e.to_string())?;
            println!(
                "password of {} changed; their sessions are signed out",
                user.username
            );
            Ok(())
        }
        UserCommand::SetRole {
            username,
            role,
            data,
        } => {
            let role = Role::parse(&role)?;
            let db = open_db(&data)?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let user = find_user(&mut conn, &username)?;
            queries::set_role(&mut conn, user.id, role).map_err(|e| e.to_string())?;
            println!("{} is now {role}", user.username);
            Ok(())
        }
    }
}

fn find_user(
    conn: &mut quillbook::db::DbConn,
    username: &str,
) -> Result<quillbook::accounts::models::User, String> {
    queries::find_by_username(conn, &username.trim().to_lowercase())
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user named {username}"))
}

fn seed_demo(scale: usize, data: &DataArgs) -> Result<(), String> {
    let db = open_db(data)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let seeded = quillbook::demo::seed(&mut conn, scale, chrono::Utc::now().date_naive())?;
    eprintln!(
        "seeded {} articles, {} comments and {} expenses in {:.1} s; log in as admin, writer or member with the password {:?}",
        seeded.articles,
        seeded.comments,
        seeded.expenses,
        started.elapsed().as_secs_f64(),
        quillbook::demo::DEMO_PASSWORD
    );
    println!(
        "{}",
        serde_json::to_string(&seeded).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn backup(data: &DataArgs) -> Result<(), String> {
    let db = open_db(data)?;
    let dir = data.data_dir.join("backups");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let dest = dir.join(format!("quillbook-{stamp}.db"));
    db.backup_sqlite(&dest).map_err(|e| e.to_string())?;
    println!("{}", dest.display());
    Ok(())
}
