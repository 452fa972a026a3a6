//! Recurring expenses: rules (every N weeks or months, on a day), and the task that
//! creates due occurrences. Each occurrence is a row with a unique (rule, date) key,
//! written in the same transaction as its expense: running the task twice, after a
//! restart, or on two instances at once never creates one twice, and missed dates
//! (downtime) are caught up. A deleted expense is not created again.

use chrono::{Datelike, NaiveDate, TimeDelta};
use diesel::prelude::*;

use super::models::{ExpenseInput, Month, NewExpense, Rule, RuleInput, Unit};
use super::queries::is_unique_violation;
use crate::db::schema::{expense_categories, expenses, recurring_occurrences, recurring_rules};
use crate::db::{now, DbConn};

/// At most this many occurrences of one rule per run (a rule started decades ago
/// catches up over a few runs instead of in one long transaction chain).
const MAX_PER_RUN: usize = 1000;

/// When a rule's expenses fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub every: i32,
    pub unit: Unit,
    pub day: i32,
    pub starts_on: NaiveDate,
}

fn clamp_day(month: Month, day: i32) -> NaiveDate {
    let d = (day.max(1) as u32).min(month.days());
    NaiveDate::from_ymd_opt(month.year, month.month, d).expect("clamped day")
}

impl Schedule {
    pub fn of(rule: &Rule) -> Option<Self> {
        Some(Self {
            every: rule.every.max(1),
            unit: Unit::parse(&rule.unit).ok()?,
            day: rule.day,
            starts_on: rule.starts_on,
        })
    }

    pub fn from_input(input: &RuleInput) -> Self {
        Self {
            every: input.every.max(1),
            unit: input.unit,
            day: input.day,
            starts_on: input.starts_on,
        }
    }

    fn anchor_month(&self) -> Month {
        let m = Month::of(self.starts_on);
        if clamp_day(m, self.day) >= self.starts_on {
            m
        } else {
            m.next()
        }
    }

    fn anchor_week(&self) -> NaiveDate {
        let weekday = self.starts_on.weekday().number_from_monday() as i64;
        let diff = (i64::from(self.day) - weekday).rem_euclid(7);
        self.starts_on + TimeDelta::days(diff)
    }

    /// The `k`-th occurrence (0 = the first on or after the start).
    pub fn nth(&self, k: i64) -> Option<NaiveDate> {
        match self.unit {
            Unit::Months => {
                let months = i32::try_from(k.checked_mul(i64::from(self.every))?).ok()?;
                let m = self.anchor_month().plus(months);
                (m.year <= 9999).then(|| clamp_day(m, self.day))
            }
            Unit::Weeks => self
                .anchor_week()
                .checked_add_signed(TimeDelta::try_weeks(k.checked_mul(i64::from(self.every))?)?),
        }
    }

    /// The first occurrence on or after `date`.
    pub fn on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        let estimate = match self.unit {
            Unit::Months => {
                i64::from(self.anchor_month().months_until(Month::of(date))) / i64::from(self.every)
            }
            Unit::Weeks => (date - self.anchor_week()).num_days() / (7 * i64::from(self.every)),
        };
        let mut k = (estimate - 1).max(0);
        loop {
            let d = self.nth(k)?;
            if d >= date {
                return Some(d);
            }
            k += 1;
        }
    }

    /// The first occurrence after `date`.
    pub fn after(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.on_or_after(date.succ_opt()?)
    }
}

/// The first date a new rule falls on (none when it ends before).
pub fn first_due(input: &RuleInput) -> Option<NaiveDate> {
    Schedule::from_input(input)
        .on_or_after(input.starts_on)
        .filter(|d| input.ends_on.is_none_or(|end| *d <= end))
}

pub fn create_rule(conn: &mut DbConn, user_id: i64, input: &RuleInput) -> QueryResult<i64> {
    diesel::insert_into(recurring_rules::table)
        .values((
            recurring_rules::user_id.eq(user_id),
            recurring_rules::category_id.eq(input.category_id),
            recurring_rules::amount_cents.eq(input.amount_cents),
            recurring_rules::description.eq(&input.description),
            recurring_rules::every.eq(input.every),
            recurring_rules::unit.eq(input.unit.as_str()),
            recurring_rules::day.eq(input.day),
            recurring_rules::starts_on.eq(input.starts_on),
            recurring_rules::ends_on.eq(input.ends_on),
            recurring_rules::next_on.eq(first_due(input)),
            recurring_rules::paused.eq(false),
            recurring_rules::created_at.eq(now()),
        ))
        .returning(recurring_rules::id)
        .get_result(conn)
}

/// A rule as the list shows it.
#[derive(Debug, Clone)]
pub struct RuleRow {
    pub rule: Rule,
    pub category: String,
    pub color: String,
}

pub fn rules(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<RuleRow>> {
    let rows: Vec<(Rule, String, String)> = recurring_rules::table
        .inner_join(expense_categories::table)
        .filter(recurring_rules::user_id.eq(user_id))
        .order_by((recurring_rules::paused.asc(), recurring_rules::id.asc()))
        .select((
            Rule::as_select(),
            expense_categories::name,
            expense_categories::color,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(rule, category, color)| RuleRow {
            rule,
            category,
            color,
        })
        .collect())
}

pub fn find_rule(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<Option<Rule>> {
    recurring_rules::table
        .filter(recurring_rules::user_id.eq(user_id))
        .filter(recurring_rules::id.eq(id))
        .select(Rule::as_select())
        .first(conn)
        .optional()
}

/// Pauses a rule, or resumes it from today on (dates passed while paused are skipped).
pub fn set_paused(
    conn: &mut DbConn,
    rule: &Rule,
    paused: bool,
    today: NaiveDate,
) -> QueryResult<usize> {
    let mine = recurring_rules::table
        .filter(recurring_rules::user_id.eq(rule.user_id))
        .filter(recurring_rules::id.eq(rule.id));
    if paused {
        diesel::update(mine)
            .set(recurring_rules::paused.eq(true))
            .execute(conn)
    } else {
        let next = Schedule::of(rule)
            .and_then(|s| s.on_or_after(today.max(rule.starts_on)))
            .filter(|d| rule.ends_on.is_none_or(|end| *d <= end));
        diesel::update(mine)
            .set((
                recurring_rules::paused.eq(false),
                recurring_rules::next_on.eq(next),
            ))
            .execute(conn)
    }
}

/// Deletes a rule; the expenses it created stay.
pub fn delete_rule(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        recurring_rules::table
            .filter(recurring_rules::user_id.eq(user_id))
            .filter(recurring_rules::id.eq(id)),
    )
    .execute(conn)
}

/// Creates every due occurrence of every active rule up to `today` (of all users,
/// or of one user), and returns how many expenses it created. Idempotent.
pub fn run_due(conn: &mut DbConn, today: NaiveDate) -> QueryResult<usize> {
    run_due_for(conn, today, None)
}

pub fn run_due_for(
    conn: &mut DbConn,
    today: NaiveDate,
    user_id: Option<i64>,
) -> QueryResult<usize> {
    let mut query = recurring_rules::table
        .filter(recurring_rules::paused.eq(false))
        .filter(recurring_rules::next_on.le(today))
        .select(Rule::as_select())
        .into_boxed::<crate::db::MultiBackend>();
    if let Some(user_id) = user_id {
        query = query.filter(recurring_rules::user_id.eq(user_id));
    }
    let due: Vec<Rule> = query.load(conn)?;
    let mut created = 0;
    for rule in &due {
        created += run_rule(conn, rule, today)?;
    }
    Ok(created)
}

fn run_rule(conn: &mut DbConn, rule: &Rule, today: NaiveDate) -> QueryResult<usize> {
    let Some(schedule) = Schedule::of(rule) else {
        return Ok(0);
    };
    let within_end = |d: &NaiveDate| rule.ends_on.is_none_or(|end| *d <= end);
    let mut next = rule.next_on.filter(within_end);
    let mut created = 0;
    let mut steps = 0;
    while let Some(date) = next {
        if date > today || steps >= MAX_PER_RUN {
            break;
        }
        steps += 1;
        let after = schedule.after(date).filter(within_end);
        let result = conn.transaction(|conn| {
            diesel::insert_into(recurring_occurrences::table)
                .values((
                    recurring_occurrences::rule_id.eq(rule.id),
                    recurring_occurrences::occurs_on.eq(date),
                    recurring_occurrences::created_at.eq(now()),
                ))
                .execute(conn)?;
            let input = ExpenseInput {
                spent_on: date,
                amount_cents: rule.amount_cents,
                category_id: rule.category_id,
                description: rule.description.clone(),
                notes: String::new(),
            };
            let expense_id: i64 = diesel::insert_into(expenses::table)
                .values(NewExpense::new(rule.user_id, &input, now()))
                .returning(expenses::id)
                .get_result(conn)?;
            diesel::update(
                recurring_occurrences::table
                    .filter(recurring_occurrences::rule_id.eq(rule.id))
                    .filter(recurring_occurrences::occurs_on.eq(date)),
            )
            .set(recurring_occurrences::expense_id.eq(expense_id))
            .execute(conn)?;
            diesel::update(recurring_rules::table.find(rule.id))
                .set(recurring_rules::next_on.eq(after))
                .execute(conn)
        });
        match result {
            Ok(_) => created += 1,
            // Another run (or instance) created this one first: move on.
            Err(e) if is_unique_violation(&e) => {
                diesel::update(
                    recurring_rules::table
                        .find(rule.id)
                        .filter(recurring_rules::next_on.le(date)),
                )
                .set(recurring_rules::next_on.eq(after))
                .execute(conn)?;
            }
            Err(e) => return Err(e),
        }
        next = after;
    }
    if next.is_none() && rule.next_on.is_some() && created == 0 && steps == 0 {
        // Ended before its next date: nothing more to do for it.
        diesel::update(recurring_rules::table.find(rule.id))
            .set(recurring_rules::next_on.eq(None::<NaiveDate>))
            .execute(conn)?;
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn monthly(day: i32, every: i32, start: &str) -> Schedule {
        Schedule {
            every,
            unit: Unit::Months,
            day,
            starts_on: d(start),
        }
    }

    #[test]
    fn months_clamp_to_short_months() {
        let s = monthly(31, 1, "2026-01-15");
        assert_eq!(s.nth(0), Some(d("2026-01-31")));
        assert_eq!(s.nth(1), Some(d("2026-02-28")));
        assert_eq!(s.nth(2), Some(d("2026-03-31")));
        assert_eq!(s.after(d("2026-02-28")), Some(d("2026-03-31")));
        // A start after the day: the first one is next month.
        let s = monthly(5, 1, "2026-01-06");
        assert_eq!(s.nth(0), Some(d("2026-02-05")));
        // Every 3 months across a year boundary.
        let s = monthly(1, 3, "2026-11-01");
        assert_eq!(s.nth(1), Some(d("2027-02-01")));
        assert_eq!(s.on_or_after(d("2027-01-10")), Some(d("2027-02-01")));
    }

    #[test]
    fn weeks_fall_on_the_weekday() {
        // 2026-11-26 is a Thursday; weekday 1 = Monday.
        let s = Schedule {
            every: 2,
            unit: Unit::Weeks,
            day: 1,
            starts_on: d("2026-11-26"),
        };
        assert_eq!(s.nth(0), Some(d("2026-11-30")));
        assert_eq!(s.nth(1), Some(d("2026-12-14")));
        assert_eq!(s.on_or_after(d("2026-12-01")), Some(d("2026-12-14")));
        assert_eq!(s.after(d("2026-12-14")), Some(d("2026-12-28")));
    }
}
