//! Login throttling, counted in the database so it holds across instances:
//! after 5 failures for a username or an IP within 15 minutes, logins wait.

use chrono::TimeDelta;
use diesel::prelude::*;

use crate::db::schema::login_failures;
use crate::db::{now, DbConn};

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);

pub fn is_throttled(conn: &mut DbConn, username: &str, ip: &str) -> QueryResult<bool> {
    let since = now() - WINDOW;
    let by_name: i64 = login_failures::table
        .filter(login_failures::username.eq(username))
        .filter(login_failures::failed_at.gt(since))
        .count()
        .get_result(conn)?;
    if by_name >= MAX_FAILURES {
        return Ok(true);
    }
    let by_ip: i64 = login_failures::table
        .filter(login_failures::ip.eq(ip))
        .filter(login_failures::failed_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(by_ip >= MAX_FAILURES)
}

pub fn record_failure(conn: &mut DbConn, username: &str, ip: &str) -> QueryResult<()> {
    let at = now();
    // Old rows no longer count; pruning them here keeps the table small.
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(at - WINDOW)))
        .execute(conn)?;
    let username: String = username.chars().take(64).collect();
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::username.eq(username),
            login_failures::ip.eq(ip),
            login_failures::failed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A successful login forgives the username's earlier failures (not the IP's).
pub fn clear_username(conn: &mut DbConn, username: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::username.eq(username)))
        .execute(conn)?;
    Ok(())
}
