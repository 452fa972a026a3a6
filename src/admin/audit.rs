//! The audit log: who did what, on what, when. Written in the same transaction
//! as the action it records.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::models::CurrentUser;
use crate::db::schema::audit_log;
use crate::db::{now, DbConn};

pub fn record(
    conn: &mut DbConn,
    actor: &CurrentUser,
    action: &str,
    target: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(actor.id),
            audit_log::actor_name.eq(&actor.username),
            audit_log::action.eq(action),
            audit_log::target.eq(target),
            audit_log::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub actor_name: String,
    pub action: String,
    pub target: String,
    pub created_at: NaiveDateTime,
}

impl AuditRow {
    pub fn date(&self) -> String {
        self.created_at
            .format("%-d %b %Y, %H:%M:%S UTC")
            .to_string()
    }
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    audit_log::table.count().get_result(conn)
}

pub fn page(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .order_by((audit_log::created_at.desc(), audit_log::id.desc()))
        .select((
            audit_log::actor_name,
            audit_log::action,
            audit_log::target,
            audit_log::created_at,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)
}
