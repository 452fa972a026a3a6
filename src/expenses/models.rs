//! Rows, the month type, and the forms with their validation (plain functions).

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use super::money;
use crate::db::schema::{expense_categories, expenses, recurring_rules};
use crate::web::FieldErrors;

pub const DESCRIPTION_MAX: usize = 200;
pub const NOTES_MAX: usize = 2000;
pub const CATEGORY_NAME_MAX: usize = 50;

/// A calendar month. Stored as `year * 100 + month` (`key`), shown as `2026-11`
/// in addresses and "November 2026" on pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Self { year, month })
    }

    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// `YYYY-MM`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?)
    }

    pub fn from_key(key: i32) -> Option<Self> {
        Self::new(key / 100, u32::try_from(key % 100).ok()?)
    }

    pub fn key(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid date")
    }

    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// `2026-11`
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `November 2026`
    pub fn label(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }

    /// `Nov`
    pub fn short(self) -> String {
        self.first_day().format("%b").to_string()
    }

    /// Months from `self` to `other` (0 when equal; negative when `other` is earlier).
    pub fn months_until(self, other: Month) -> i32 {
        (other.year - self.year) * 12 + other.month as i32 - self.month as i32
    }

    pub fn plus(self, months: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + months;
        Month {
            year: index.div_euclid(12),
            month: (index.rem_euclid(12) + 1) as u32,
        }
    }
}

/// Today's date in UTC (the server's notion of "this month").
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = expense_categories)]
pub struct Category {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub color: String,
    pub monthly_budget_cents: Option<i64>,
    pub rollover_since: Option<i32>,
    pub archived: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = expenses)]
pub struct Expense {
    pub id: i64,
    pub user_id: i64,
    pub category_id: i64,
    pub spent_on: NaiveDate,
    pub spent_month: i32,
    pub amount_cents: i64,
    pub description: String,
    pub notes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new expense row. Every insert goes through this, so `spent_month` always
/// matches `spent_on`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = expenses)]
pub struct NewExpense {
    pub user_id: i64,
    pub category_id: i64,
    pub spent_on: NaiveDate,
    pub spent_month: i32,
    pub amount_cents: i64,
    pub description: String,
    pub notes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewExpense {
    pub fn new(user_id: i64, input: &ExpenseInput, at: NaiveDateTime) -> Self {
        Self {
            user_id,
            category_id: input.category_id,
            spent_on: input.spent_on,
            spent_month: Month::of(input.spent_on).key(),
            amount_cents: input.amount_cents,
            description: input.description.clone(),
            notes: input.notes.clone(),
            created_at: at,
            updated_at: at,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recurring_rules)]
pub struct Rule {
    pub id: i64,
    pub user_id: i64,
    pub category_id: i64,
    pub amount_cents: i64,
    pub description: String,
    pub every: i32,
    pub unit: String,
    pub day: i32,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub next_on: Option<NaiveDate>,
    pub paused: bool,
    pub created_at: NaiveDateTime,
}

fn parse_date(field: &str) -> Result<NaiveDate, String> {
    let s = field.trim();
    if s.is_empty() {
        return Err("Enter a date.".into());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=9999).contains(&d.year()))
        .ok_or_else(|| "Enter a date as YYYY-MM-DD, e.g. 2026-11-26.".into())
}

fn parse_id(field: &str, what: &str) -> Result<i64, String> {
    field
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| format!("Choose {what}."))
}

fn parse_description(field: &str) -> Result<String, String> {
    let s = field.trim();
    if s.is_empty() {
        Err("Enter a description.".into())
    } else if s.chars().count() > DESCRIPTION_MAX {
        Err(format!("Use at most {DESCRIPTION_MAX} characters."))
    } else {
        Ok(s.to_owned())
    }
}

fn parse_notes(field: &str) -> Result<String, String> {
    if field.chars().count() > NOTES_MAX {
        Err(format!("Use at most {NOTES_MAX} characters."))
    } else {
        Ok(field.trim().to_owned())
    }
}

/// The expense form as typed (kept to show it again).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ExpenseForm {
    pub spent_on: String,
    pub amount: String,
    pub category_id: String,
    pub description: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseInput {
    pub spent_on: NaiveDate,
    pub amount_cents: i64,
    pub category_id: i64,
    pub description: String,
    pub notes: String,
}

impl ExpenseForm {
    /// Checks every field; whether the category is the user's is checked with the
    /// database (see `routes`).
    pub fn validate(&self) -> Result<ExpenseInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let spent_on = errors.check("spent_on", parse_date(&self.spent_on));
        let amount = errors.check("amount", money::parse_positive(&self.amount));
        let category_id = errors.check("category_id", parse_id(&self.category_id, "a category"));
        let description = errors.check("description", parse_description(&self.description));
        let notes = errors.check("notes", parse_notes(&self.notes));
        match (spent_on, amount, category_id, description, notes) {
            (
                Some(spent_on),
                Some(amount_cents),
                Some(category_id),
                Some(description),
                Some(notes),
            ) if errors.is_empty() => Ok(ExpenseInput {
                spent_on,
                amount_cents,
                category_id,
                description,
                notes,
            }),
            _ => Err(errors),
        }
    }

    pub fn from_expense(e: &Expense) -> Self {
        Self {
            spent_on: e.spent_on.format("%Y-%m-%d").to_string(),
            amount: money::format_plain(e.amount_cents),
            category_id: e.category_id.to_string(),
            description: e.description.clone(),
            notes: e.notes.clone(),
        }
    }
}

/// `#rrggbb`, lower case.
pub fn parse_color(field: &str) -> Result<String, String> {
    let s = field.trim().to_ascii_lowercase();
    if s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(s)
    } else {
        Err("Choose a colour as #rrggbb, e.g. #1d4ed8.".into())
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    pub name: String,
    pub monthly_budget: String,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryInput {
    pub name: String,
    pub monthly_budget_cents: Option<i64>,
    pub color: String,
}

pub fn parse_category_name(field: &str) -> Result<String, String> {
    let name = field.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err("Enter a name.".into())
    } else if name.chars().count() > CATEGORY_NAME_MAX {
        Err(format!("Use at most {CATEGORY_NAME_MAX} characters."))
    } else {
        Ok(name)
    }
}

impl CategoryForm {
    pub fn validate(&self) -> Result<CategoryInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", parse_category_name(&self.name));
        let budget = errors.check(
            "monthly_budget",
            money::parse_optional(&self.monthly_budget),
        );
        let color = errors.check("color", parse_color(&self.color));
        match (name, budget, color) {
            (Some(name), Some(monthly_budget_cents), Some(color)) => Ok(CategoryInput {
                name,
                monthly_budget_cents,
                color,
            }),
            _ => Err(errors),
        }
    }

    pub fn from_category(c: &Category) -> Self {
        Self {
            name: c.name.clone(),
            monthly_budget: c
                .monthly_budget_cents
                .map(money::format_plain)
                .unwrap_or_default(),
            color: c.color.clone(),
        }
    }
}

/// How often a rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Weeks,
    Months,
}

impl Unit {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "weeks" => Ok(Unit::Weeks),
            "months" => Ok(Unit::Months),
            _ => Err("Choose weeks or months.".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Weeks => "weeks",
            Unit::Months => "months",
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub category_id: String,
    pub amount: String,
    pub description: String,
    pub every: String,
    pub unit: String,
    pub day: String,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInput {
    pub category_id: i64,
    pub amount_cents: i64,
    pub description: String,
    pub every: i32,
    pub unit: Unit,
    /// Day of the month (1–31; short months use their last day) or weekday
    /// (1 = Monday … 7 = Sunday).
    pub day: i32,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

impl RuleForm {
    pub fn validate(&self) -> Result<RuleInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let category_id = errors.check("category_id", parse_id(&self.category_id, "a category"));
        let amount = errors.check("amount", money::parse_positive(&self.amount));
        let description = errors.check("description", parse_description(&self.description));
        let every = errors.check(
            "every",
            self.every
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (1..=60).contains(n))
                .ok_or_else(|| "Enter a whole number from 1 to 60.".to_owned()),
        );
        let unit = errors.check("unit", Unit::parse(&self.unit));
        let day = self.day.trim().parse::<i32>().ok();
        let day = match (unit, day) {
            (Some(Unit::Months), Some(d)) if (1..=31).contains(&d) => Some(d),
            (Some(Unit::Weeks), Some(d)) if (1..=7).contains(&d) => Some(d),
            (Some(Unit::Weeks), _) => {
                errors.add(
                    "day",
                    "For weekly rules enter a weekday: 1 = Monday … 7 = Sunday.",
                );
                None
            }
            _ => {
                errors.add("day", "Enter the day of the month, 1 to 31.");
                None
            }
        };
        let starts_on = errors.check("starts_on", parse_date(&self.starts_on));
        let ends_on = if self.ends_on.trim().is_empty() {
            Some(None)
        } else {
            errors.check("ends_on", parse_date(&self.ends_on).map(Some))
        };
        if let (Some(start), Some(Some(end))) = (starts_on, ends_on) {
            if end < start {
                errors.add("ends_on", "The end date must not be before the start date.");
            }
        }
        match (
            category_id,
            amount,
            description,
            every,
            unit,
            day,
            starts_on,
            ends_on,
        ) {
            (
                Some(category_id),
                Some(amount_cents),
                Some(description),
                Some(every),
                Some(unit),
                Some(day),
                Some(starts_on),
                Some(ends_on),
            ) if errors.is_empty() => Ok(RuleInput {
                category_id,
                amount_cents,
                description,
                every,
                unit,
                day,
                starts_on,
                ends_on,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.key(), 202612);
        assert_eq!(m.next().iso(), "2027-01");
        assert_eq!(m.next().prev(), m);
        assert_eq!(Month::parse("2024-02").unwrap().days(), 29);
        assert_eq!(m.label(), "December 2026");
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("26-11"), None);
        assert_eq!(Month::from_key(202611), Month::new(2026, 11));
        assert_eq!(m.plus(-12).iso(), "2025-12");
        assert_eq!(m.plus(1).iso(), "2027-01");
        assert_eq!(Month::parse("2026-01").unwrap().months_until(m), 11);
    }

    #[test]
    fn expense_form_messages() {
        let form = ExpenseForm {
            spent_on: "2026-02-30".into(),
            amount: "-3".into(),
            category_id: "".into(),
            description: " ".into(),
            notes: "".into(),
        };
        let errors = form.validate().unwrap_err();
        for field in ["spent_on", "amount", "category_id", "description"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let ok = ExpenseForm {
            spent_on: "2026-02-28".into(),
            amount: "12,50".into(),
            category_id: "3".into(),
            description: " Lunch ".into(),
            notes: "".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.amount_cents, 1250);
        assert_eq!(ok.description, "Lunch");
    }

    #[test]
    fn colours_and_names() {
        assert_eq!(parse_color("#A1B2C3"), Ok("#a1b2c3".into()));
        assert!(parse_color("red").is_err());
        assert!(parse_color("#12345").is_err());
        assert_eq!(
            parse_category_name("  Eating   out "),
            Ok("Eating out".into())
        );
        assert!(parse_category_name(&"x".repeat(51)).is_err());
    }
}
