//! Diesel queries for categories and expenses. Every query on private data
//! carries `user_id = ?`: another user's id finds nothing (a 404), never a row.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::BigInt;

use super::models::{Category, CategoryInput, Expense, ExpenseInput, Month, NewExpense};
use crate::db::schema::{
    expense_budgets, expense_categories, expense_trackers, expenses, recurring_rules, users,
};
use crate::db::{now, DbConn, MultiBackend};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The categories a new tracker starts with (all editable).
pub const DEFAULT_CATEGORIES: &[(&str, &str)] = &[
    ("Groceries", "#2e7d32"),
    ("Housing", "#1565c0"),
    ("Transport", "#ef6c00"),
    ("Eating out", "#ad1457"),
    ("Health", "#00838f"),
    ("Leisure", "#6a1b9a"),
    ("Other", "#546e7a"),
];

/// Colours given to categories created by an import, in turn.
pub const PALETTE: &[&str] = &[
    "#1d4ed8", "#b45309", "#047857", "#be123c", "#7c3aed", "#0e7490", "#4d7c0f", "#a21caf",
];

pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// What every tracker page needs: the user's currency (their own, or the site's).
/// Creates the tracker with its default categories on the first visit; a second
/// request racing the first one finds the tracker row taken and moves on.
pub fn open_tracker(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<String>> {
    let (currency, tracker): (Option<String>, Option<i64>) = users::table
        .left_join(expense_trackers::table)
        .filter(users::id.eq(user_id))
        .select((users::currency, expense_trackers::user_id.nullable()))
        .first(conn)?;
    if tracker.is_none() {
        let created = conn.transaction(|conn| {
            let at = now();
            diesel::insert_into(expense_trackers::table)
                .values((
                    expense_trackers::user_id.eq(user_id),
                    expense_trackers::created_at.eq(at),
                ))
                .execute(conn)?;
            for (name, color) in DEFAULT_CATEGORIES {
                diesel::insert_into(expense_categories::table)
                    .values((
                        expense_categories::user_id.eq(user_id),
                        expense_categories::name.eq(*name),
                        expense_categories::color.eq(*color),
                        expense_categories::archived.eq(false),
                        expense_categories::created_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            Ok::<_, DieselError>(())
        });
        match created {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(currency)
}

pub fn set_currency(conn: &mut DbConn, user_id: i64, currency: Option<&str>) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::currency.eq(currency))
        .execute(conn)
}

// ---- categories ----

/// The user's categories: active ones first, then archived, each by name.
pub fn categories(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Category>> {
    expense_categories::table
        .filter(expense_categories::user_id.eq(user_id))
        .order_by((
            expense_categories::archived.asc(),
            lower(expense_categories::name).asc(),
            expense_categories::id.asc(),
        ))
        .select(Category::as_select())
        .load(conn)
}

pub fn find_category(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<Option<Category>> {
    expense_categories::table
        .filter(expense_categories::user_id.eq(user_id))
        .filter(expense_categories::id.eq(id))
        .select(Category::as_select())
        .first(conn)
        .optional()
}

/// Whether another category of the user has this name (ignoring case).
pub fn category_name_taken(
    conn: &mut DbConn,
    user_id: i64,
    name: &str,
    except: Option<i64>,
) -> QueryResult<bool> {
    let mut query = expense_categories::table
        .filter(expense_categories::user_id.eq(user_id))
        .filter(lower(expense_categories::name).eq(name.to_lowercase()))
        .select(expense_categories::id)
        .into_boxed::<MultiBackend>();
    if let Some(id) = except {
        query = query.filter(expense_categories::id.ne(id));
    }
    Ok(query.first::<i64>(conn).optional()?.is_some())
}

pub fn create_category(conn: &mut DbConn, user_id: i64, input: &CategoryInput) -> QueryResult<i64> {
    diesel::insert_into(expense_categories::table)
        .values((
            expense_categories::user_id.eq(user_id),
            expense_categories::name.eq(&input.name),
            expense_categories::color.eq(&input.color),
            expense_categories::monthly_budget_cents.eq(input.monthly_budget_cents),
            expense_categories::archived.eq(false),
            expense_categories::created_at.eq(now()),
        ))
        .returning(expense_categories::id)
        .get_result(conn)
}

pub fn update_category(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    input: &CategoryInput,
) -> QueryResult<usize> {
    diesel::update(
        expense_categories::table
            .filter(expense_categories::user_id.eq(user_id))
            .filter(expense_categories::id.eq(id)),
    )
    .set((
        expense_categories::name.eq(&input.name),
        expense_categories::color.eq(&input.color),
        expense_categories::monthly_budget_cents.eq(input.monthly_budget_cents),
    ))
    .execute(conn)
}

/// What happened to a category on "archive".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveOutcome {
    /// Used by expenses or rules: kept, hidden from new expenses.
    Archived,
    /// Unused: deleted.
    Deleted,
    /// It was archived: back in use.
    Restored,
}

/// Archives a used category, deletes an unused one, restores an archived one.
pub fn archive_category(conn: &mut DbConn, category: &Category) -> QueryResult<ArchiveOutcome> {
    conn.transaction(|conn| {
        let mine = expense_categories::table
            .filter(expense_categories::user_id.eq(category.user_id))
            .filter(expense_categories::id.eq(category.id));
        if category.archived {
            diesel::update(mine)
                .set(expense_categories::archived.eq(false))
                .execute(conn)?;
            return Ok(ArchiveOutcome::Restored);
        }
        let used_by_expense = expenses::table
            .filter(expenses::category_id.eq(category.id))
            .select(expenses::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        let used_by_rule = recurring_rules::table
            .filter(recurring_rules::category_id.eq(category.id))
            .select(recurring_rules::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        if used_by_expense || used_by_rule {
            diesel::update(mine)
                .set(expense_categories::archived.eq(true))
                .execute(conn)?;
            Ok(ArchiveOutcome::Archived)
        } else {
            diesel::delete(
                expense_budgets::table.filter(expense_budgets::category_id.eq(category.id)),
            )
            .execute(conn)?;
            diesel::delete(mine).execute(conn)?;
            Ok(ArchiveOutcome::Deleted)
        }
    })
}

// ---- expenses ----

/// The list's filter: month (or every month), category, words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpenseFilter {
    pub month: Option<Month>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
}

/// `%` and `_` typed by a user are literal characters, not wildcards.
fn like_pattern(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

/// Adds the owner predicate and the filter to a boxed query over `expenses`
/// (alone or joined with its category).
macro_rules! apply_filter {
    ($query:expr, $user_id:expr, $filter:expr) => {{
        let filter: &ExpenseFilter = $filter;
        let mut query = $query.filter(expenses::user_id.eq($user_id));
        if let Some(month) = filter.month {
            query = query
                .filter(expenses::spent_on.ge(month.first_day()))
                .filter(expenses::spent_on.le(month.last_day()));
        }
        if let Some(id) = filter.category_id {
            query = query.filter(expenses::category_id.eq(id));
        }
        if let Some(q) = &filter.q {
            for word in q.split_whitespace().take(8) {
                let pattern = like_pattern(word);
                query = query.filter(
                    lower(expenses::description)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(lower(expenses::notes).like(pattern).escape('\\')),
                );
            }
        }
        query
    }};
}

/// How many expenses the filter matches and their total, in one aggregate query.
pub fn count_and_total(
    conn: &mut DbConn,
    user_id: i64,
    filter: &ExpenseFilter,
) -> QueryResult<(i64, i64)> {
    apply_filter!(
        expenses::table.into_boxed::<MultiBackend>(),
        user_id,
        filter
    )
    .select((
        sql::<BigInt>("COUNT(*)"),
        sql::<BigInt>("CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT)"),
    ))
    .first(conn)
}

/// One line of the list, with its category.
#[derive(Debug, Clone, Queryable)]
pub struct ListRow {
    pub id: i64,
    pub spent_on: NaiveDate,
    pub amount_cents: i64,
    pub description: String,
    pub notes: String,
    pub category: String,
    pub color: String,
}

pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    filter: &ExpenseFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ListRow>> {
    let joined = expenses::table
        .inner_join(expense_categories::table)
        .into_boxed::<MultiBackend>();
    apply_filter!(joined, user_id, filter)
        .order_by((expenses::spent_on.desc(), expenses::id.desc()))
        .select((
            expenses::id,
            expenses::spent_on,
            expenses::amount_cents,
            expenses::description,
            expenses::notes,
            expense_categories::name,
            expense_categories::color,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)
}

/// A row of the CSV export.
#[derive(Debug, Clone, Queryable)]
pub struct ExportRow {
    pub spent_on: NaiveDate,
    pub amount_cents: i64,
    pub category: String,
    pub description: String,
    pub notes: String,
}

pub fn export_rows(
    conn: &mut DbConn,
    user_id: i64,
    filter: &ExpenseFilter,
) -> QueryResult<Vec<ExportRow>> {
    let joined = expenses::table
        .inner_join(expense_categories::table)
        .into_boxed::<MultiBackend>();
    apply_filter!(joined, user_id, filter)
        .order_by((expenses::spent_on.asc(), expenses::id.asc()))
        .select((
            expenses::spent_on,
            expenses::amount_cents,
            expense_categories::name,
            expenses::description,
            expenses::notes,
        ))
        .load(conn)
}

pub fn find_expense(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<Option<Expense>> {
    expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::id.eq(id))
        .select(Expense::as_select())
        .first(conn)
        .optional()
}

pub fn create_expense(conn: &mut DbConn, user_id: i64, input: &ExpenseInput) -> QueryResult<i64> {
    diesel::insert_into(expenses::table)
        .values(NewExpense::new(user_id, input, now()))
        .returning(expenses::id)
        .get_result(conn)
}

pub fn update_expense(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    input: &ExpenseInput,
) -> QueryResult<usize> {
    diesel::update(
        expenses::table
            .filter(expenses::user_id.eq(user_id))
            .filter(expenses::id.eq(id)),
    )
    .set((
        expenses::category_id.eq(input.category_id),
        expenses::spent_on.eq(input.spent_on),
        expenses::spent_month.eq(Month::of(input.spent_on).key()),
        expenses::amount_cents.eq(input.amount_cents),
        expenses::description.eq(&input.description),
        expenses::notes.eq(&input.notes),
        expenses::updated_at.eq(now()),
    ))
    .execute(conn)
}

pub fn delete_expense(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        expenses::table
            .filter(expenses::user_id.eq(user_id))
            .filter(expenses::id.eq(id)),
    )
    .execute(conn)
}

/// Deletes everything of a user's tracker, children first, in the caller's
/// transaction (used when an admin deletes the account).
pub fn delete_all_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<()> {
    use crate::db::schema::{
        expense_budgets, expense_categories, expense_trackers, expense_uploads, expenses,
        recurring_occurrences, recurring_rules,
    };
    let rules = recurring_rules::table
        .filter(recurring_rules::user_id.eq(user_id))
        .select(recurring_rules::id);
    diesel::delete(
        recurring_occurrences::table.filter(recurring_occurrences::rule_id.eq_any(rules)),
    )
    .execute(conn)?;
    diesel::delete(recurring_rules::table.filter(recurring_rules::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(expense_budgets::table.filter(expense_budgets::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(expenses::table.filter(expenses::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(expense_categories::table.filter(expense_categories::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(expense_uploads::table.filter(expense_uploads::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(expense_trackers::table.filter(expense_trackers::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}
