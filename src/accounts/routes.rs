//! Account pages: /setup, /register, /login, /logout, /account.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::flows::{self, AccountChange, AccountOutcome, LoginOutcome, Signup, SignupOutcome};
use super::models::Role;
use super::sessions::{self, SessionRow};
use crate::app::AppState;
use crate::web::forms::safe_next;
use crate::web::{
    client_ip, csrf, flash, render, render_invalid, see_other, AppError, Ctx, FieldErrors,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/setup")
            .route(web::get().to(setup_form))
            .route(web::post().to(setup_submit)),
    )
    .service(
        web::resource("/register")
            .route(web::get().to(register_form))
            .route(web::post().to(register_submit)),
    )
    .service(
        web::resource("/login")
            .route(web::get().to(login_form))
            .route(web::post().to(login_submit)),
    )
    .service(web::resource("/logout").route(web::post().to(logout)))
    .service(
        web::resource("/account")
            .route(web::get().to(account_form))
            .route(web::post().to(account_submit)),
    )
    .service(web::resource("/account/sessions/{id}/delete").route(web::post().to(end_session)));
}

fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Starts a signed-in session: a new cookie (against session fixation), the token,
/// and a fresh CSRF token.
fn start_session(session: &Session, token: &str) -> Result<(), AppError> {
    session.renew();
    session.insert(sessions::SESSION_KEY, token)?;
    csrf::rotate(session)?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    pub username: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
}

#[derive(Template)]
#[template(path = "accounts/signup.html")]
struct SignupPage<'a> {
    ctx: &'a Ctx,
    setup: bool,
    form: &'a SignupForm,
    errors: &'a FieldErrors,
}

// ---- /setup -------------------------------------------------------------------

async fn setup_form(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if state
        .db
        .run(|c| super::queries::any_users(c).map_err(AppError::from))
        .await?
    {
        return Err(AppError::NotFound);
    }
    render(&SignupPage {
        ctx: &ctx,
        setup: true,
        form: &SignupForm::default(),
        errors: &FieldErrors::new(),
    })
}

async fn setup_submit(
    req: HttpRequest,
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    signup_submit(req, ctx, session, state, form.into_inner(), true).await
}

// ---- /register ----------------------------------------------------------------

fn registration_closed() -> AppError {
    AppError::Forbidden(
        "Registration is closed on this site. Ask its administrator for an account.".into(),
    )
}

async fn register_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    if !ctx.site.registration_open {
        return Err(registration_closed());
    }
    if ctx.user.is_some() {
        return Ok(see_other("/"));
    }
    render(&SignupPage {
        ctx: &ctx,
        setup: false,
        form: &SignupForm::default(),
        errors: &FieldErrors::new(),
    })
}

async fn register_submit(
    req: HttpRequest,
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    if !ctx.site.registration_open {
        return Err(registration_closed());
    }
    signup_submit(req, ctx, session, state, form.into_inner(), false).await
}

async fn signup_submit(
    req: HttpRequest,
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: SignupForm,
    setup: bool,
) -> Result<HttpResponse, AppError> {
    let invalid = |errors: FieldErrors| {
        render_invalid(&SignupPage {
            ctx: &ctx,
            setup,
            form: &form,
            errors: &errors,
        })
    };
    let signup = match Signup::parse(
        &form.username,
        &form.email,
        &form.password,
        &form.password_confirm,
    ) {
        Ok(signup) => signup,
        Err(errors) => return invalid(errors),
    };
    let agent = user_agent(&req);
    let role = if setup { Role::Admin } else { Role::Member };
    let outcome = state
        .db
        .run(move |conn| flows::sign_up(conn, &signup, role, setup, &agent))
        .await?;
    match outcome {
        SignupOutcome::Created { user, token } => {
            start_session(&session, &token)?;
            if setup {
                state
                    .has_users
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                tracing::info!(username = user.username, "first admin created");
                flash::success(
                    &session,
                    format!("Welcome, {}! Your site is ready.", user.username),
                );
            } else {
                flash::success(
                    &session,
                    format!("Welcome, {}! Your account is ready.", user.username),
                );
            }
            Ok(see_other("/"))
        }
        SignupOutcome::UsernameTaken => {
            let mut errors = FieldErrors::new();
            errors.add("username", "That username is taken. Choose another.");
            invalid(errors)
        }
        SignupOutcome::SetupClosed => Err(AppError::NotFound),
    }
}

// ---- /login, /logout ---------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    username: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

async fn login_form(ctx: Ctx, query: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if ctx.user.is_some() {
        return Ok(see_other(&next));
    }
    render(&LoginPage {
        ctx: &ctx,
        username: "",
        next: &next,
        error: None,
    })
}

async fn login_submit(
    req: HttpRequest,
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref());
    if form.username.trim().is_empty() || form.password.is_empty() {
        return render_invalid(&LoginPage {
            ctx: &ctx,
            username: &form.username,
            next: &next,
            error: Some("Enter your username and password."),
        });
    }
    let (ip, agent) = (client_ip(&req), user_agent(&req));
    let (username, password) = (form.username.clone(), form.password.clone());
    let outcome = state
        .db
        .run(move |conn| flows::log_in(conn, &username, &password, &ip, &agent))
        .await?;
    match outcome {
        LoginOutcome::SignedIn { token } => {
            start_session(&session, &token)?;
            Ok(see_other(&next))
        }
        LoginOutcome::WrongCredentials => render_invalid(&LoginPage {
            ctx: &ctx,
            username: &form.username,
            next: &next,
            error: Some("Wrong username or password."),
        }),
        LoginOutcome::Throttled => Err(AppError::TooManyRequests(
            "Too many failed logins. Please wait 15 minutes and try again.".into(),
        )),
    }
}

async fn logout(session: Session, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if let Some(token) = session.get::<String>(sessions::SESSION_KEY)? {
        state
            .db
            .run(move |conn| sessions::delete_by_token(conn, &token).map_err(AppError::from))
            .await?;
    }
    session.purge();
    Ok(see_other("/"))
}

// ---- /account ------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    pub email: String,
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage<'a> {
    ctx: &'a Ctx,
    email: &'a str,
    errors: &'a FieldErrors,
    sessions: &'a [SessionRow],
    current_session: i64,
}

async fn load_sessions(state: &AppState, user_id: i64) -> Result<Vec<SessionRow>, AppError> {
    state
        .db
        .run(move |conn| sessions::list_for_user(conn, user_id).map_err(AppError::from))
        .await
}

async fn account_form(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let list = load_sessions(&state, user.id).await?;
    render(&AccountPage {
        ctx: &ctx,
        email: &user.email,
        errors: &FieldErrors::new(),
        sessions: &list,
        current_session: user.session_id,
    })
}

async fn account_submit(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let form = form.into_inner();
    let change = AccountChange {
        email: form.email.clone(),
        current_password: form.current_password,
        new_password: form.new_password,
        new_password_confirm: form.new_password_confirm,
    };
    let (user_id, session_id) = (user.id, user.session_id);
    let outcome = state
        .db
        .run(move |conn| flows::change_account(conn, user_id, session_id, &change))
        .await?;
    match outcome {
        AccountOutcome::Updated { password_changed } => {
            flash::success(
                &session,
                if password_changed {
                    "Your password is changed. Your other sessions have been signed out."
                } else {
                    "Your account is updated."
                },
            );
            Ok(see_other("/account"))
        }
        AccountOutcome::Invalid(errors) => {
            let list = load_sessions(&state, user_id).await?;
            render_invalid(&AccountPage {
                ctx: &ctx,
                email: &form.email,
                errors: &errors,
                sessions: &list,
                current_session: session_id,
            })
        }
    }
}

async fn end_session(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_user()?;
    let (user_id, target) = (user.id, path.into_inner());
    let removed = state
        .db
        .run(move |conn| sessions::delete_own(conn, user_id, target).map_err(AppError::from))
        .await?;
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    if target == user.session_id {
        session.purge();
        return Ok(see_other("/"));
    }
    flash::success(&session, "That session is signed out.");
    Ok(see_other("/account"))
}
