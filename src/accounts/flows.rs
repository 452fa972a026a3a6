//! Account flows as plain functions over a connection: setup, registration,
//! login and account changes. Handlers parse input, call these, and render.

use diesel::prelude::*;

use super::models::{Email, NewPassword, Role, User, Username};
use super::{password, queries, sessions, throttle};
use crate::db::DbConn;
use crate::web::{AppError, FieldErrors};

/// A validated sign-up (setup or registration).
pub struct Signup {
    pub username: Username,
    pub email: Email,
    pub password: NewPassword,
}

impl Signup {
    pub fn parse(
        username: &str,
        email: &str,
        password: &str,
        confirm: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = errors.check("username", Username::parse(username));
        let email = errors.check("email", Email::parse(email));
        let password = errors.check("password", NewPassword::parse(password, confirm));
        match (username, email, password) {
            (Some(username), Some(email), Some(password)) if errors.is_empty() => Ok(Self {
                username,
                email,
                password,
            }),
            _ => Err(errors),
        }
    }
}

pub enum SignupOutcome {
    /// The user was created and signed in with this session token.
    Created {
        user: User,
        token: String,
    },
    UsernameTaken,
    /// Setup only: someone else created the first admin meanwhile.
    SetupClosed,
}

/// Creates a user with a session. `first_admin` makes it the setup flow, which
/// only works while there are no users.
pub fn sign_up(
    conn: &mut DbConn,
    signup: &Signup,
    role: Role,
    first_admin: bool,
    user_agent: &str,
) -> Result<SignupOutcome, AppError> {
    let hash = password::hash(signup.password.as_str()).map_err(AppError::Internal)?;
    conn.transaction(|conn| {
        if first_admin {
            if let DbConn::Postgres(pg) = conn {
                // Two concurrent setups must not both see an empty table.
                diesel::sql_query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(pg)?;
            }
            if queries::any_users(conn)? {
                return Ok(SignupOutcome::SetupClosed);
            }
        }
        if queries::username_taken(conn, signup.username.as_str())? {
            return Ok(SignupOutcome::UsernameTaken);
        }
        let user = queries::insert(
            conn,
            signup.username.as_str(),
            signup.email.as_str(),
            &hash,
            role,
        )?;
        let token = sessions::create(conn, user.id, user_agent)?;
        Ok(SignupOutcome::Created { user, token })
    })
}

pub enum LoginOutcome {
    SignedIn { token: String },
    WrongCredentials,
    Throttled,
}

/// Checks the credentials. Unknown users, wrong passwords and disabled accounts
/// look the same from outside, and take the same time.
pub fn log_in(
    conn: &mut DbConn,
    username: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> Result<LoginOutcome, AppError> {
    let username = username.trim().to_lowercase();
    if throttle::is_throttled(conn, &username, ip)? {
        return Ok(LoginOutcome::Throttled);
    }
    let user = queries::find_by_username(conn, &username)?;
    let valid = match &user {
        Some(user) => password::verify(password, &user.password_hash) && !user.disabled,
        None => {
            password::verify_dummy(password);
            false
        }
    };
    match user {
        Some(user) if valid => {
            throttle::clear_username(conn, &username)?;
            let token = sessions::create(conn, user.id, user_agent)?;
            Ok(LoginOutcome::SignedIn { token })
        }
        _ => {
            throttle::record_failure(conn, &username, ip)?;
            Ok(LoginOutcome::WrongCredentials)
        }
    }
}

/// What the account form asks to change.
pub struct AccountChange {
    pub email: String,
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

pub enum AccountOutcome {
    Updated { password_changed: bool },
    Invalid(FieldErrors),
}

/// Changes email and/or password; the current password is required for either.
/// A new password signs out every other session of the user.
pub fn change_account(
    conn: &mut DbConn,
    user_id: i64,
    session_id: i64,
    change: &AccountChange,
) -> Result<AccountOutcome, AppError> {
    let user = queries::find(conn, user_id)?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&change.email));
    let new_password = if change.new_password.is_empty() && change.new_password_confirm.is_empty() {
        None
    } else {
        errors.check(
            "new_password",
            NewPassword::parse(&change.new_password, &change.new_password_confirm),
        )
    };
    if change.current_password.is_empty() {
        errors.add(
            "current_password",
            "Enter your current password to confirm.",
        );
    } else if !password::verify(&change.current_password, &user.password_hash) {
        errors.add("current_password", "That is not your current password.");
    }
    let Some(email) = email else {
        return Ok(AccountOutcome::Invalid(errors));
    };
    if !errors.is_empty() {
        return Ok(AccountOutcome::Invalid(errors));
    }
    let new_hash = match &new_password {
        Some(p) => Some(password::hash(p.as_str()).map_err(AppError::Internal)?),
        None => None,
    };
    conn.transaction(|conn| {
        if email.as_str() != user.email {
            queries::set_email(conn, user.id, email.as_str())?;
        }
        if let Some(hash) = &new_hash {
            queries::set_password(conn, user.id, hash)?;
            sessions::delete_others(conn, user.id, session_id)?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(AccountOutcome::Updated {
        password_changed: new_hash.is_some(),
    })
}
