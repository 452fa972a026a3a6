//! Monthly and yearly reports. Totals are computed in SQL (GROUP BY over the
//! `(user_id, spent_month, category_id, amount_cents)` index), the same SQL on both
//! backends; what is done here in Rust is arithmetic on those few sums.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::budgets::{self, BudgetLine};
use super::models::{Category, Month};
use super::queries;
use crate::db::schema::{expense_categories, expenses};
use crate::db::DbConn;

const SUM: &str = "CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT)";

/// Spent per (month key, category) for months `from` to `to`, inclusive.
pub fn totals_by_month_and_category(
    conn: &mut DbConn,
    user_id: i64,
    from: Month,
    to: Month,
) -> QueryResult<Vec<(i32, i64, i64)>> {
    expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_month.ge(from.key()))
        .filter(expenses::spent_month.le(to.key()))
        .group_by((expenses::spent_month, expenses::category_id))
        .select((
            expenses::spent_month,
            expenses::category_id,
            sql::<BigInt>(SUM),
        ))
        .load(conn)
}

/// Spent per category in one month.
pub fn totals_by_category(
    conn: &mut DbConn,
    user_id: i64,
    month: Month,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_month.eq(month.key()))
        .group_by(expenses::category_id)
        .select((expenses::category_id, sql::<BigInt>(SUM)))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Spent per day of a month (days without expenses are absent).
pub fn totals_by_day(
    conn: &mut DbConn,
    user_id: i64,
    month: Month,
) -> QueryResult<Vec<(NaiveDate, i64)>> {
    expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_on.ge(month.first_day()))
        .filter(expenses::spent_on.le(month.last_day()))
        .group_by(expenses::spent_on)
        .select((expenses::spent_on, sql::<BigInt>(SUM)))
        .order_by(expenses::spent_on.asc())
        .load(conn)
}

/// The `n` largest expenses of a month.
pub fn largest(
    conn: &mut DbConn,
    user_id: i64,
    month: Month,
    n: i64,
) -> QueryResult<Vec<queries::ListRow>> {
    expenses::table
        .inner_join(expense_categories::table)
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_on.ge(month.first_day()))
        .filter(expenses::spent_on.le(month.last_day()))
        .order_by((
            expenses::amount_cents.desc(),
            expenses::spent_on.asc(),
            expenses::id.asc(),
        ))
        .limit(n)
        .select((
            expenses::id,
            expenses::spent_on,
            expenses::amount_cents,
            expenses::description,
            expenses::notes,
            expense_categories::name,
            expense_categories::color,
        ))
        .load(conn)
}

/// Change from `before` to `now` in percent, one decimal; `None` when there was
/// nothing before.
pub fn change_percent(before: i64, now: i64) -> Option<f64> {
    (before != 0).then(|| ((now - before) as f64 * 1000.0 / before as f64).round() / 10.0)
}

/// `part` of `whole` in percent, one decimal.
pub fn share_percent(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

#[derive(Debug, Clone)]
pub struct CategoryLine {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub spent: i64,
    pub budget: BudgetLine,
    pub previous: i64,
    pub share: f64,
}

impl CategoryLine {
    pub fn remaining(&self) -> Option<i64> {
        self.budget.available().map(|a| a - self.spent)
    }

    pub fn over_budget(&self) -> bool {
        self.remaining().is_some_and(|r| r < 0)
    }

    pub fn change(&self) -> Option<f64> {
        change_percent(self.previous, self.spent)
    }
}

#[derive(Debug, Clone)]
pub struct MonthlyReport {
    pub month: Month,
    pub lines: Vec<CategoryLine>,
    pub total: i64,
    pub previous_total: i64,
    pub budget_total: i64,
    /// One entry per day of the month (zero on days without expenses).
    pub days: Vec<(NaiveDate, i64)>,
    pub largest: Vec<queries::ListRow>,
}

impl MonthlyReport {
    pub fn change(&self) -> Option<f64> {
        change_percent(self.previous_total, self.total)
    }

    pub fn over_budget_count(&self) -> usize {
        self.lines.iter().filter(|l| l.over_budget()).count()
    }
}

/// Builds the monthly report in a fixed number of queries.
pub fn monthly(conn: &mut DbConn, user_id: i64, month: Month) -> QueryResult<MonthlyReport> {
    let categories = queries::categories(conn, user_id)?;
    let spent = totals_by_category(conn, user_id, month)?;
    let previous = totals_by_category(conn, user_id, month.prev())?;
    let budgets = budgets::budget_lines(conn, user_id, &categories, month)?;
    let by_day: HashMap<NaiveDate, i64> =
        totals_by_day(conn, user_id, month)?.into_iter().collect();
    let largest = largest(conn, user_id, month, 5)?;
    let total: i64 = spent.values().sum();
    let previous_total: i64 = previous.values().sum();
    let mut lines: Vec<CategoryLine> = categories
        .iter()
        .filter_map(|c| {
            let s = spent.get(&c.id).copied().unwrap_or(0);
            let p = previous.get(&c.id).copied().unwrap_or(0);
            let budget = budgets.get(&c.id).copied().unwrap_or_default();
            let shown = s != 0 || p != 0 || (!c.archived && budget.base.is_some());
            shown.then(|| CategoryLine {
                id: c.id,
                name: c.name.clone(),
                color: c.color.clone(),
                spent: s,
                budget,
                previous: p,
                share: share_percent(s, total),
            })
        })
        .collect();
    lines.sort_by(|a, b| b.spent.cmp(&a.spent).then_with(|| a.name.cmp(&b.name)));
    let budget_total = lines.iter().filter_map(|l| l.budget.available()).sum();
    let days = (1..=month.days())
        .map(|d| {
            let date = NaiveDate::from_ymd_opt(month.year, month.month, d).expect("day of month");
            (date, by_day.get(&date).copied().unwrap_or(0))
        })
        .collect();
    Ok(MonthlyReport {
        month,
        lines,
        total,
        previous_total,
        budget_total,
        days,
        largest,
    })
}

#[derive(Debug, Clone)]
pub struct YearColumn {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub total: i64,
    pub previous: i64,
}

impl YearColumn {
    pub fn change(&self) -> Option<f64> {
        change_percent(self.previous, self.total)
    }
}

#[derive(Debug, Clone)]
pub struct YearlyReport {
    pub year: i32,
    /// Categories with spending in this year or the one before, largest first.
    pub columns: Vec<YearColumn>,
    /// `cells[month index][column index]`
    pub cells: Vec<Vec<i64>>,
    pub month_totals: Vec<i64>,
    pub total: i64,
    pub previous_total: i64,
    /// How many months the average is over: 12, or the months so far this year.
    pub months_counted: u32,
}

impl YearlyReport {
    pub fn months(&self) -> Vec<Month> {
        (1..=12)
            .map(|m| Month::new(self.year, m).expect("month"))
            .collect()
    }

    /// Average per month of a total (rounded to the cent).
    pub fn average(&self, total: impl super::routes::Val<i64>) -> i64 {
        let total = total.val();
        let n = i64::from(self.months_counted.max(1));
        (total + n / 2).div_euclid(n)
    }

    pub fn change(&self) -> Option<f64> {
        change_percent(self.previous_total, self.total)
    }
}

/// The months the monthly average of `year` is taken over, seen on `today`.
pub fn months_counted(year: i32, today: NaiveDate) -> u32 {
    if year == today.year() {
        today.month()
    } else {
        12
    }
}

/// Builds the yearly report: one grouped query for the year, one for the year before.
pub fn yearly(
    conn: &mut DbConn,
    user_id: i64,
    year: i32,
    today: NaiveDate,
) -> QueryResult<YearlyReport> {
    let categories: Vec<Category> = queries::categories(conn, user_id)?;
    let jan = Month::new(year, 1).expect("month");
    let dec = Month::new(year, 12).expect("month");
    let this_year = totals_by_month_and_category(conn, user_id, jan, dec)?;
    let last_year: Vec<(i64, i64)> = expenses::table
        .filter(expenses::user_id.eq(user_id))
        .filter(expenses::spent_month.ge(jan.plus(-12).key()))
        .filter(expenses::spent_month.le(dec.plus(-12).key()))
        .group_by(expenses::category_id)
        .select((expenses::category_id, sql::<BigInt>(SUM)))
        .load(conn)?;
    let previous: HashMap<i64, i64> = last_year.into_iter().collect();
    let mut totals: HashMap<i64, i64> = HashMap::new();
    for (_, category, cents) in &this_year {
        *totals.entry(*category).or_default() += cents;
    }
    let mut columns: Vec<YearColumn> = categories
        .iter()
        .filter(|c| totals.contains_key(&c.id) || previous.contains_key(&c.id))
        .map(|c| YearColumn {
            id: c.id,
            name: c.name.clone(),
            color: c.color.clone(),
            total: totals.get(&c.id).copied().unwrap_or(0),
            previous: previous.get(&c.id).copied().unwrap_or(0),
        })
        .collect();
    columns.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    let index: HashMap<i64, usize> = columns.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut cells = vec![vec![0_i64; columns.len()]; 12];
    for (month_key, category, cents) in this_year {
        let m = (month_key % 100) as usize;
        if let (Some(col), true) = (index.get(&category), (1..=12).contains(&m)) {
            cells[m - 1][*col] += cents;
        }
    }
    let month_totals: Vec<i64> = cells.iter().map(|row| row.iter().sum()).collect();
    Ok(YearlyReport {
        year,
        total: month_totals.iter().sum(),
        previous_total: previous.values().sum(),
        columns,
        cells,
        month_totals,
        months_counted: months_counted(year, today),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(change_percent(0, 100), None);
        assert_eq!(change_percent(1000, 1500), Some(50.0));
        assert_eq!(change_percent(3000, 1000), Some(-66.7));
        assert_eq!(share_percent(1, 3), 33.3);
        assert_eq!(share_percent(5, 0), 0.0);
    }

    #[test]
    fn averages() {
        let report = YearlyReport {
            year: 2026,
            columns: vec![],
            cells: vec![],
            month_totals: vec![],
            total: 0,
            previous_total: 0,
            months_counted: 3,
        };
        assert_eq!(report.average(1000), 333);
        assert_eq!(report.average(1001), 334);
        let day = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        assert_eq!(months_counted(2026, day), 3);
        assert_eq!(months_counted(2025, day), 12);
    }
}
