//! The budgets page (per month, with rollover) and recurring rules.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::budgets::{self, BudgetEntry, BudgetLine};
use super::models::{today, Category, Month, RuleForm, Unit};
use super::recurring::{self, RuleRow};
use super::routes::{open, who, Tracker};
use super::{money, queries, reports};
use crate::app::AppState;
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx, FieldErrors};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/expenses/budgets")
            .route(web::get().to(budgets_page))
            .route(web::post().to(save_budgets)),
    )
    .service(
        web::resource("/expenses/recurring")
            .route(web::get().to(recurring_page))
            .route(web::post().to(create_rule)),
    )
    .service(web::resource("/expenses/recurring/{id}/{action}").route(web::post().to(rule_action)));
}

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    pub month: Option<String>,
}

impl MonthQuery {
    /// The month asked for; missing or unreadable: this month.
    pub fn month(&self) -> Month {
        self.month
            .as_deref()
            .and_then(Month::parse)
            .unwrap_or_else(|| Month::of(today()))
    }
}

// ---- budgets ----

pub struct BudgetRow {
    pub category: Category,
    pub value: String,
    pub rollover: bool,
    pub line: BudgetLine,
    pub spent: i64,
    pub error: Option<String>,
}

impl BudgetRow {
    pub fn remaining(&self) -> Option<i64> {
        self.line.available().map(|a| a - self.spent)
    }

    pub fn over(&self) -> bool {
        self.remaining().is_some_and(|r| r < 0)
    }
}

#[derive(Template)]
#[template(path = "expenses/budgets.html")]
struct BudgetsPage<'a> {
    ctx: &'a Ctx,
    t: &'a Tracker,
    month: Month,
    rows: &'a [BudgetRow],
    has_errors: bool,
}

struct BudgetData {
    t: Tracker,
    /// The user's active categories.
    categories: Vec<Category>,
    /// Ids of all the user's categories, archived ones included.
    all_ids: Vec<i64>,
    lines: HashMap<i64, BudgetLine>,
    spent: HashMap<i64, i64>,
}

async fn budget_data(ctx: &Ctx, state: &AppState, month: Month) -> Result<BudgetData, AppError> {
    let (user_id, site_currency) = who(ctx)?;
    state
        .db
        .run(move |conn| {
            let t = open(conn, user_id, &site_currency)?;
            let all = queries::categories(conn, user_id)?;
            let all_ids = all.iter().map(|c| c.id).collect();
            let categories: Vec<Category> = all.into_iter().filter(|c| !c.archived).collect();
            let lines = budgets::budget_lines(conn, user_id, &categories, month)?;
            let spent = reports::totals_by_category(conn, user_id, month)?;
            Ok::<_, AppError>(BudgetData {
                t,
                categories,
                all_ids,
                lines,
                spent,
            })
        })
        .await
}

fn rows_of(data: &BudgetData) -> Vec<BudgetRow> {
    data.categories
        .iter()
        .map(|c| {
            let line = data.lines.get(&c.id).copied().unwrap_or_default();
            BudgetRow {
                value: line.base.map(money::format_plain).unwrap_or_default(),
                rollover: c.rollover_since.is_some(),
                line,
                spent: data.spent.get(&c.id).copied().unwrap_or(0),
                category: c.clone(),
                error: None,
            }
        })
        .collect()
}

async fn budgets_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let month = query.month();
    let data = budget_data(&ctx, &state, month).await?;
    render(&BudgetsPage {
        ctx: &ctx,
        t: &data.t,
        month,
        rows: &rows_of(&data),
        has_errors: false,
    })
}

/// Reads `budget_{id}` and `rollover_{id}` for each of the user's active categories.
/// A field naming a category that is not the user's is a 404 (nothing saved).
async fn save_budgets(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    query: web::Query<MonthQuery>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let month = query.month();
    let data = budget_data(&ctx, &state, month).await?;
    let foreign = form.keys().any(|key| {
        key.strip_prefix("budget_")
            .or_else(|| key.strip_prefix("rollover_"))
            .is_some_and(|id| {
                id.parse::<i64>()
                    .map_or(true, |id| !data.all_ids.contains(&id))
            })
    });
    if foreign {
        return Err(AppError::NotFound);
    }
    let mut rows = rows_of(&data);
    let mut entries = Vec::new();
    let mut has_errors = false;
    for row in &mut rows {
        let id = row.category.id;
        let Some(raw) = form.get(&format!("budget_{id}")) else {
            continue;
        };
        row.value = raw.clone();
        row.rollover = form
            .get(&format!("rollover_{id}"))
            .is_some_and(|v| !v.is_empty() && v != "0");
        match money::parse_optional(raw) {
            Ok(budget) => entries.push(BudgetEntry {
                category_id: id,
                budget,
                rollover: row.rollover,
            }),
            Err(message) => {
                row.error = Some(message);
                has_errors = true;
            }
        }
    }
    if has_errors {
        return render_invalid(&BudgetsPage {
            ctx: &ctx,
            t: &data.t,
            month,
            rows: &rows,
            has_errors,
        });
    }
    let categories = data.categories;
    state
        .db
        .run(move |conn| {
            budgets::save(conn, user_id, month, &categories, &entries).map_err(AppError::from)
        })
        .await?;
    flash::success(
        &session,
        format!("The budgets for {} are saved.", month.label()),
    );
    Ok(see_other(&format!(
        "/expenses/budgets?month={}",
        month.iso()
    )))
}

// ---- recurring rules ----

#[derive(Template)]
#[template(path = "expenses/recurring.html")]
struct RecurringPage<'a> {
    ctx: &'a Ctx,
    t: &'a Tracker,
    rules: &'a [RuleRow],
    categories: &'a [Category],
    form: &'a RuleForm,
    errors: &'a FieldErrors,
}

impl RecurringPage<'_> {
    fn selected(&self, id: &i64) -> bool {
        self.form.category_id.trim() == id.to_string()
    }

    fn unit_is(&self, unit: &str) -> bool {
        self.form.unit == unit || (self.form.unit.is_empty() && unit == "months")
    }

    fn schedule(&self, row: &RuleRow) -> String {
        let r = &row.rule;
        let unit = Unit::parse(&r.unit).unwrap_or(Unit::Months);
        let every = match (r.every, unit) {
            (1, Unit::Months) => "Every month".to_owned(),
            (1, Unit::Weeks) => "Every week".to_owned(),
            (n, u) => format!("Every {n} {}", u.as_str()),
        };
        let on = match unit {
            Unit::Months => format!("on day {}", r.day),
            Unit::Weeks => {
                let names = [
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                    "Thursday",
                    "Friday",
                    "Saturday",
                    "Sunday",
                ];
                format!("on {}", names[(r.day.clamp(1, 7) - 1) as usize])
            }
        };
        let end = match r.ends_on {
            Some(end) => format!(", {} to {}", r.starts_on, end),
            None => format!(", from {}", r.starts_on),
        };
        format!("{every} {on}{end}")
    }

    fn next(&self, row: &RuleRow) -> String {
        match (row.rule.paused, row.rule.next_on) {
            (true, _) => "paused".into(),
            (false, Some(d)) => d.format("%-d %b %Y").to_string(),
            (false, None) => "ended".into(),
        }
    }
}

async fn rule_data(
    ctx: &Ctx,
    state: &AppState,
) -> Result<(Tracker, Vec<RuleRow>, Vec<Category>), AppError> {
    let (user_id, site_currency) = who(ctx)?;
    state
        .db
        .run(move |conn| {
            let t = open(conn, user_id, &site_currency)?;
            let rules = recurring::rules(conn, user_id)?;
            let categories = queries::categories(conn, user_id)?
                .into_iter()
                .filter(|c| !c.archived)
                .collect();
            Ok::<_, AppError>((t, rules, categories))
        })
        .await
}

async fn recurring_page(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (t, rules, categories) = rule_data(&ctx, &state).await?;
    let form = RuleForm {
        every: "1".into(),
        unit: "months".into(),
        day: "1".into(),
        starts_on: today().format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    render(&RecurringPage {
        ctx: &ctx,
        t: &t,
        rules: &rules,
        categories: &categories,
        form: &form,
        errors: &FieldErrors::new(),
    })
}

async fn create_rule(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<RuleForm>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let (t, rules, categories) = rule_data(&ctx, &state).await?;
    let mut result = form.validate();
    if let Ok(input) = &result {
        if !categories.iter().any(|c| c.id == input.category_id) {
            let mut errors = FieldErrors::new();
            errors.add("category_id", "Choose one of your categories.");
            result = Err(errors);
        }
    }
    let input = match result {
        Ok(input) => input,
        Err(errors) => {
            return render_invalid(&RecurringPage {
                ctx: &ctx,
                t: &t,
                rules: &rules,
                categories: &categories,
                form: &form,
                errors: &errors,
            })
        }
    };
    let created = state
        .db
        .run(move |conn| {
            recurring::create_rule(conn, user_id, &input)?;
            // Dates already passed are created now rather than at the next run.
            Ok::<_, AppError>(recurring::run_due_for(conn, today(), Some(user_id))?)
        })
        .await?;
    let message = match created {
        0 => "The rule is saved.".to_owned(),
        1 => "The rule is saved; 1 expense was due and is added.".to_owned(),
        n => format!("The rule is saved; {n} expenses were due and are added."),
    };
    flash::success(&session, message);
    Ok(see_other("/expenses/recurring"))
}

async fn rule_action(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let (id, action) = path.into_inner();
    if !matches!(action.as_str(), "pause" | "resume" | "delete") {
        return Err(AppError::NotFound);
    }
    let rule = state
        .db
        .run(move |conn| recurring::find_rule(conn, user_id, id).map_err(AppError::from))
        .await?
        .ok_or(AppError::NotFound)?;
    let description = rule.description.clone();
    let act = action.clone();
    state
        .db
        .run(move |conn| {
            match act.as_str() {
                "pause" => recurring::set_paused(conn, &rule, true, today())?,
                "resume" => {
                    recurring::set_paused(conn, &rule, false, today())?;
                    recurring::run_due_for(conn, today(), Some(user_id))?
                }
                _ => recurring::delete_rule(conn, user_id, rule.id)?,
            };
            Ok::<_, AppError>(())
        })
        .await?;
    let message = match action.as_str() {
        "pause" => format!("“{description}” is paused."),
        "resume" => format!("“{description}” is running again."),
        _ => format!("“{description}” is deleted; the expenses it added stay."),
    };
    flash::success(&session, message);
    Ok(see_other("/expenses/recurring"))
}
