//! Settings from flags and environment variables, with defaults that work out of the box.

use std::path::{Path, PathBuf};

use base64::Engine;

#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Address and port to listen on.
    #[arg(long, env = "QUILLBOOK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Public address of the site, used for absolute links (feeds, sitemap). Cookies are
    /// marked Secure when it starts with https. Default: http://<bind>.
    #[arg(long, env = "QUILLBOOK_BASE_URL")]
    pub base_url: Option<String>,

    /// Seconds an anonymous reader's page may be served from memory (0: never).
    /// Any write through this instance clears it at once.
    #[arg(long, env = "QUILLBOOK_PAGE_CACHE_SECONDS", default_value_t = 5)]
    pub page_cache_seconds: u64,

    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Folder for the SQLite database and the generated secret key.
    #[arg(long, env = "QUILLBOOK_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    /// Default: sqlite://<data-dir>/quillbook.db.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DataArgs {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("quillbook.db").display()))
    }
}

/// Everything the web app needs to know about its environment.
#[derive(Clone)]
pub struct Config {
    pub base_url: String,
    /// Mark cookies Secure: only when the site is served over https, or browsers
    /// would drop the session cookie on plain http://127.0.0.1.
    pub secure_cookies: bool,
    pub secret_key: Vec<u8>,
    /// How long public pages may be served from memory; zero turns the cache off.
    pub page_cache_ttl: std::time::Duration,
}

impl Config {
    /// A configuration with the page cache off (see [`Config::with_page_cache`]).
    pub fn new(base_url: &str, secret_key: Vec<u8>) -> Self {
        let base_url = base_url.trim_end_matches('/').to_owned();
        Self {
            secure_cookies: base_url.starts_with("https://"),
            base_url,
            secret_key,
            page_cache_ttl: std::time::Duration::ZERO,
        }
    }

    pub fn with_page_cache(mut self, ttl: std::time::Duration) -> Self {
        self.page_cache_ttl = ttl;
        self
    }
}

pub fn default_base_url(bind: &str) -> String {
    format!("http://{bind}")
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("QUILLBOOK_SECRET_KEY must be base64 of at least 64 bytes")]
    BadSecret,
    #[error("cannot use the key file {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
}

const SECRET_LEN: usize = 64;

/// The cookie key: from `QUILLBOOK_SECRET_KEY`, or generated once into
/// `<data-dir>/secret.key` (mode 0600) so sessions survive restarts.
pub fn load_secret_key(env_value: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, ConfigError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(value) = env_value {
        let key = b64
            .decode(value.trim())
            .map_err(|_| ConfigError::BadSecret)?;
        return if key.len() >= SECRET_LEN {
            Ok(key)
        } else {
            Err(ConfigError::BadSecret)
        };
    }
    let path = data_dir.join("secret.key");
    let io_err = |source| ConfigError::KeyFile {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = b64
                .decode(text.trim())
                .map_err(|_| ConfigError::BadSecret)?;
            if key.len() < SECRET_LEN {
                return Err(ConfigError::BadSecret);
            }
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(io_err)?;
            let mut key = vec![0u8; SECRET_LEN];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
            write_private(&path, b64.encode(&key).as_bytes()).map_err(io_err)?;
            tracing::info!("generated a new secret key in {}", path.display());
            Ok(key)
        }
        Err(e) => Err(io_err(e)),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
