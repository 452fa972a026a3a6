//! User rows: lookups and writes. Every function takes a connection so callers
//! decide the transaction.

use diesel::prelude::*;

use super::models::{NewUser, Role, User};
use crate::db::schema::users;
use crate::db::{now, DbConn};

pub fn any_users(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)
}

pub fn find_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn username_taken(conn: &mut DbConn, username: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::username.eq(username)),
    ))
    .get_result(conn)
}

pub fn insert(
    conn: &mut DbConn,
    username: &str,
    email: &str,
    password_hash: &str,
    role: Role,
) -> QueryResult<User> {
    let at = now();
    diesel::insert_into(users::table)
        .values(NewUser {
            username,
            email,
            password_hash,
            role: role.as_str(),
            disabled: false,
            created_at: at,
            updated_at: at,
        })
        .get_result::<User>(conn)
}

pub fn set_password(conn: &mut DbConn, user_id: i64, password_hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::updated_at.eq(now()),
        ))
        .execute(conn)
}

pub fn set_email(conn: &mut DbConn, user_id: i64, email: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::email.eq(email), users::updated_at.eq(now())))
        .execute(conn)
}

pub fn set_role(conn: &mut DbConn, user_id: i64, role: Role) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::role.eq(role.as_str()), users::updated_at.eq(now())))
        .execute(conn)
}

/// Disabling also ends every session of the user.
pub fn set_disabled(conn: &mut DbConn, user_id: i64, disabled: bool) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let n = diesel::update(users::table.find(user_id))
            .set((users::disabled.eq(disabled), users::updated_at.eq(now())))
            .execute(conn)?;
        if disabled {
            super::sessions::delete_all_for_user(conn, user_id)?;
        }
        Ok(n)
    })
}
