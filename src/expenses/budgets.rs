//! Budgets: each category's monthly budget, per-month overrides, and rollover
//! (what was left, or overspent, carries into the next month).
//!
//! Rules (plain functions, tested below):
//! - The budget of a month is its override when one exists (which may be "none"),
//!   else the category's monthly budget.
//! - With rollover on since month S, the amount carried into month X is the sum over
//!   the months S … X-1 that had a budget of (budget − spent). Months without a budget
//!   take no part. What is available in X is its budget plus that carry.

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::models::{Category, Month};
use crate::db::schema::{expense_budgets, expense_categories, expenses};
use crate::db::DbConn;

/// A category's budget in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetLine {
    /// The month's own budget (override or the category's default).
    pub base: Option<i64>,
    /// Carried in from earlier months (0 without rollover).
    pub carried: i64,
}

impl BudgetLine {
    /// What may be spent this month: budget plus carry; `None` without a budget.
    pub fn available(&self) -> Option<i64> {
        self.base.map(|b| b + self.carried)
    }
}

/// The budget of `month`: its override if any, else the default.
pub fn base_budget(
    default: Option<i64>,
    overrides: &HashMap<i32, Option<i64>>,
    month: Month,
) -> Option<i64> {
    match overrides.get(&month.key()) {
        Some(value) => *value,
        None => default,
    }
}

/// The amount carried into `month` for rollover since `since`.
pub fn carry_into(
    since: Month,
    month: Month,
    budget_of: impl Fn(Month) -> Option<i64>,
    spent_in: impl Fn(Month) -> i64,
) -> i64 {
    let mut carry = 0;
    let mut m = since;
    while m < month {
        if let Some(budget) = budget_of(m) {
            carry += budget - spent_in(m);
        }
        m = m.next();
    }
    carry
}

/// Every category's budget line for `month`, in a fixed number of queries: the
/// overrides, and (for rollover) the monthly totals since the earliest start.
pub fn budget_lines(
    conn: &mut DbConn,
    user_id: i64,
    categories: &[Category],
    month: Month,
) -> QueryResult<HashMap<i64, BudgetLine>> {
    let earliest = categories
        .iter()
        .filter_map(|c| c.rollover_since)
        .filter(|s| *s < month.key())
        .min();
    let from_key = earliest.unwrap_or(month.key()).min(month.key());
    let overrides: Vec<(i64, i32, Option<i64>)> = expense_budgets::table
        .filter(expense_budgets::user_id.eq(user_id))
        .filter(expense_budgets::month.ge(from_key))
        .filter(expense_budgets::month.le(month.key()))
        .select((
            expense_budgets::category_id,
            expense_budgets::month,
            expense_budgets::budget_cents,
        ))
        .load(conn)?;
    let mut by_category: HashMap<i64, HashMap<i32, Option<i64>>> = HashMap::new();
    for (category, m, value) in overrides {
        by_category.entry(category).or_default().insert(m, value);
    }
    let mut spent: HashMap<(i64, i32), i64> = HashMap::new();
    if let Some(from) = earliest {
        let rows: Vec<(i32, i64, i64)> = expenses::table
            .filter(expenses::user_id.eq(user_id))
            .filter(expenses::spent_month.ge(from))
            .filter(expenses::spent_month.lt(month.key()))
            .group_by((expenses::spent_month, expenses::category_id))
            .select((
                expenses::spent_month,
                expenses::category_id,
                sql::<BigInt>("CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT)"),
            ))
            .load(conn)?;
        for (m, category, cents) in rows {
            spent.insert((category, m), cents);
        }
    }
    let empty = HashMap::new();
    let mut lines = HashMap::new();
    for c in categories {
        let overrides = by_category.get(&c.id).unwrap_or(&empty);
        let budget_of = |m: Month| base_budget(c.monthly_budget_cents, overrides, m);
        let carried = match c.rollover_since.and_then(Month::from_key) {
            Some(since) if since < month => carry_into(since, month, budget_of, |m| {
                spent.get(&(c.id, m.key())).copied().unwrap_or(0)
            }),
            _ => 0,
        };
        lines.insert(
            c.id,
            BudgetLine {
                base: budget_of(month),
                carried,
            },
        );
    }
    Ok(lines)
}

/// One category's entry on the budgets page, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetEntry {
    pub category_id: i64,
    pub budget: Option<i64>,
    pub rollover: bool,
}

/// Saves the budgets page for `month` in one transaction: a budget equal to the
/// category's default removes the month's override, any other value (or none)
/// becomes the override; rollover starts at this month when switched on and
/// stops when switched off. Only the user's own categories are touched.
pub fn save(
    conn: &mut DbConn,
    user_id: i64,
    month: Month,
    categories: &[Category],
    entries: &[BudgetEntry],
) -> QueryResult<()> {
    conn.transaction(|conn| {
        for entry in entries {
            let Some(category) = categories
                .iter()
                .find(|c| c.id == entry.category_id && c.user_id == user_id)
            else {
                continue;
            };
            let this_month = expense_budgets::table
                .filter(expense_budgets::user_id.eq(user_id))
                .filter(expense_budgets::category_id.eq(category.id))
                .filter(expense_budgets::month.eq(month.key()));
            diesel::delete(this_month).execute(conn)?;
            if entry.budget != category.monthly_budget_cents {
                diesel::insert_into(expense_budgets::table)
                    .values((
                        expense_budgets::user_id.eq(user_id),
                        expense_budgets::category_id.eq(category.id),
                        expense_budgets::month.eq(month.key()),
                        expense_budgets::budget_cents.eq(entry.budget),
                    ))
                    .execute(conn)?;
            }
            let since = match (entry.rollover, category.rollover_since) {
                (true, Some(since)) => Some(since),
                (true, None) => Some(month.key()),
                (false, _) => None,
            };
            if since != category.rollover_since {
                diesel::update(
                    expense_categories::table
                        .filter(expense_categories::user_id.eq(user_id))
                        .filter(expense_categories::id.eq(category.id)),
                )
                .set(expense_categories::rollover_since.eq(since))
                .execute(conn)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn overrides_win_over_the_default() {
        let mut overrides = HashMap::new();
        overrides.insert(202602, Some(5000));
        overrides.insert(202603, None);
        assert_eq!(
            base_budget(Some(10000), &overrides, m("2026-01")),
            Some(10000)
        );
        assert_eq!(
            base_budget(Some(10000), &overrides, m("2026-02")),
            Some(5000)
        );
        assert_eq!(base_budget(Some(10000), &overrides, m("2026-03")), None);
    }

    #[test]
    fn rollover_carries_unspent_and_overspent_amounts() {
        // Budget 100.00 a month; spent 60 in Jan, 130 in Feb, nothing in March yet.
        let spent = |mo: Month| match mo.month {
            1 => 6000,
            2 => 13000,
            _ => 0,
        };
        let budget = |_| Some(10000);
        assert_eq!(carry_into(m("2026-01"), m("2026-01"), budget, spent), 0);
        assert_eq!(carry_into(m("2026-01"), m("2026-02"), budget, spent), 4000);
        // 40 left from January, 30 overspent in February: 10 carried into March.
        assert_eq!(carry_into(m("2026-01"), m("2026-03"), budget, spent), 1000);
        // Across the year boundary too.
        let dec_start = |mo: Month| if mo.month == 12 { 2500 } else { 0 };
        assert_eq!(
            carry_into(m("2025-12"), m("2026-01"), budget, dec_start),
            7500
        );
        // Months without a budget take no part.
        let sometimes = |mo: Month| (mo.month != 2).then_some(10000);
        assert_eq!(
            carry_into(m("2026-01"), m("2026-03"), sometimes, spent),
            4000
        );
    }
}
