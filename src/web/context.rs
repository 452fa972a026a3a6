//! What every page knows about its request: the site settings, the signed-in user
//! (read from the database on every request, so role and disabled changes apply at
//! once), the CSRF token and the flash messages.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpRequest};

use super::error::AppError;
use super::flash::{self, Flash};
use crate::accounts::models::{CurrentUser, Role};
use crate::accounts::sessions;
use crate::admin::settings::{self, SiteSettings};
use crate::app::AppState;

pub struct Ctx {
    pub site: SiteSettings,
    pub user: Option<CurrentUser>,
    /// Kept to make the CSRF token on first use: a reader who never sees a form
    /// gets no session cookie, which keeps public pages the same for everyone.
    session: Session,
    pub flashes: Vec<Flash>,
    /// Path and query of this request, for `next` links and the current nav item.
    pub path: String,
    pub stylesheet: &'static str,
}

impl Ctx {
    /// The signed-in user, or a redirect to the login page that comes back here.
    pub fn require_user(&self) -> Result<&CurrentUser, AppError> {
        self.user.as_ref().ok_or_else(|| AppError::LoginRequired {
            next: self.path.clone(),
        })
    }

    /// The signed-in user if their role is at least `role`; 403 otherwise.
    pub fn require_role(&self, role: Role) -> Result<&CurrentUser, AppError> {
        let user = self.require_user()?;
        if user.role.includes(role) {
            Ok(user)
        } else {
            Err(AppError::forbidden())
        }
    }

    pub fn is_author(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.includes(Role::Author))
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }

    /// The hidden CSRF field every POST form carries.
    pub fn csrf_field(&self) -> String {
        format!(
            r#"<input type="hidden" name="{}" value="{}">"#,
            super::csrf::FIELD,
            self.csrf_token()
        )
    }

    /// The session's CSRF token, created now if it has none yet.
    pub fn csrf_token(&self) -> String {
        super::csrf::token(&self.session).unwrap_or_else(|e| {
            // Only a full cookie fails here; the form then fails its check with a 403.
            tracing::warn!("no CSRF token: {e}");
            String::new()
        })
    }

    /// `aria-current` for the nav item of the current section.
    pub fn current(&self, prefix: &str) -> &'static str {
        let here = self.path.split('?').next().unwrap_or("");
        let hit = if prefix == "/" {
            here == "/"
        } else {
            here.starts_with(prefix)
        };
        if hit {
            "page"
        } else {
            "false"
        }
    }

    async fn load(req: HttpRequest, session: Session) -> Result<Self, AppError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::Internal("app state missing".into()))?;
        let token: Option<String> = session.get(sessions::SESSION_KEY).unwrap_or(None);
        let lookup = token.clone();
        let (site, user) = state
            .db
            .run(move |conn| {
                let site = settings::load(conn)?;
                let user = match lookup {
                    Some(token) => sessions::authenticate(conn, &token, &site)?,
                    None => None,
                };
                Ok::<_, AppError>((site, user))
            })
            .await?;
        if token.is_some() && user.is_none() {
            // Expired, revoked or disabled: forget it so the next request skips the lookup.
            session.remove(sessions::SESSION_KEY);
        }
        // Flashes are for the page shown after a redirect, never for a POST.
        let flashes = if req.method() == Method::GET {
            flash::take(&session)
        } else {
            Vec::new()
        };
        let path = match req.uri().path_and_query() {
            Some(pq) => pq.as_str().to_owned(),
            None => req.path().to_owned(),
        };
        Ok(Ctx {
            site,
            user,
            session,
            flashes,
            path,
            stylesheet: super::assets::STYLESHEET_URL.as_str(),
        })
    }
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let session = req.get_session();
        Box::pin(Ctx::load(req, session))
    }
}
