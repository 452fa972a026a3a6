//! Expense pages: the list (filter, total, pagination), add, edit, delete, and the
//! CSV export. Handlers are thin: parse → query → render. Every query carries the
//! signed-in user's id; another user's id is a 404.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::models::{today, Category, ExpenseForm, ExpenseInput, Month};
use super::queries::{self, ExpenseFilter, ListRow};
use super::{charts, csv_io, money};
use crate::app::AppState;
use crate::db::DbConn;
use crate::web::pagination::{page_number, Pagination};
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx, FieldErrors};

pub const PER_PAGE: i64 = 50;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/expenses")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(web::resource("/expenses/new").route(web::get().to(new_form)))
    .service(web::resource("/expenses/export.csv").route(web::get().to(export)))
    .service(
        web::resource("/expenses/{id}/edit")
            .route(web::get().to(edit_form))
            .route(web::post().to(update)),
    )
    .service(web::resource("/expenses/{id}/delete").route(web::post().to(delete)));
}

/// A value given to a template helper, however many references askama put around it.
pub trait Val<T> {
    fn val(&self) -> T;
}

impl Val<i64> for i64 {
    fn val(&self) -> i64 {
        *self
    }
}

impl Val<Option<i64>> for Option<i64> {
    fn val(&self) -> Option<i64> {
        *self
    }
}

impl Val<f64> for f64 {
    fn val(&self) -> f64 {
        *self
    }
}

impl Val<Option<f64>> for Option<f64> {
    fn val(&self) -> Option<f64> {
        *self
    }
}

impl<T, V: Val<T> + ?Sized> Val<T> for &V {
    fn val(&self) -> T {
        (**self).val()
    }
}

/// The signed-in user's tracker as pages see it: whose, and in which currency.
#[derive(Debug, Clone)]
pub struct Tracker {
    pub user_id: i64,
    pub currency: String,
}

impl Tracker {
    /// An amount in the user's currency: `€1,234.56`.
    pub fn fmt(&self, cents: impl Val<i64>) -> String {
        money::format_money(cents.val(), &self.currency)
    }

    /// An optional amount; an em dash for none.
    pub fn fmt_opt(&self, cents: impl Val<Option<i64>>) -> String {
        match cents.val() {
            Some(c) => self.fmt(c),
            None => "—".into(),
        }
    }

    pub fn swatch(&self, color: &str) -> String {
        charts::swatch(color)
    }
}

/// Opens the tracker inside a database closure: creates it on the first visit and
/// returns it with the user's currency (their own, else the site's).
pub fn open(conn: &mut DbConn, user_id: i64, site_currency: &str) -> Result<Tracker, AppError> {
    let currency = queries::open_tracker(conn, user_id)?;
    Ok(Tracker {
        user_id,
        currency: currency.unwrap_or_else(|| site_currency.to_owned()),
    })
}

/// The user's id and the site currency, for a database closure.
pub fn who(ctx: &Ctx) -> Result<(i64, String), AppError> {
    let user = ctx.require_user()?;
    Ok((user.id, ctx.site.currency.clone()))
}

pub fn percent(value: impl Val<f64>) -> String {
    format!("{:.1}%", value.val())
}

pub fn signed_percent(value: impl Val<Option<f64>>) -> String {
    match value.val() {
        Some(v) if v > 0.0 => format!("+{v:.1}%"),
        Some(v) => format!("{v:.1}%"),
        None => "—".into(),
    }
}

// ---- the list ----

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub month: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
}

impl ListQuery {
    /// The filter: a bad or missing month is this month, `all` is every month; a
    /// category that is not a number is ignored (one that is not the user's is a 404,
    /// checked with the database).
    pub fn filter(&self) -> ExpenseFilter {
        let month = match self.month.as_deref().map(str::trim) {
            Some("all") => None,
            Some(m) => Some(Month::parse(m).unwrap_or_else(|| Month::of(today()))),
            None => Some(Month::of(today())),
        };
        let category_id = self
            .category
            .as_deref()
            .and_then(|c| c.trim().parse::<i64>().ok());
        let q = self
            .q
            .as_deref()
            .map(|q| q.trim().chars().take(100).collect::<String>())
            .filter(|q| !q.is_empty());
        ExpenseFilter {
            month,
            category_id,
            q,
        }
    }
}

/// The list's query string for a filter (without the page).
pub fn filter_query(filter: &ExpenseFilter) -> String {
    let month = filter.month.map(Month::iso).unwrap_or_else(|| "all".into());
    let category = filter
        .category_id
        .map(|c| c.to_string())
        .unwrap_or_default();
    let q = filter.q.clone().unwrap_or_default();
    serde_urlencoded::to_string([
        ("month", month.as_str()),
        ("category", category.as_str()),
        ("q", q.as_str()),
    ])
    .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "expenses/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    t: &'a Tracker,
    filter: &'a ExpenseFilter,
    categories: &'a [Category],
    rows: &'a [ListRow],
    pagination: &'a Pagination,
    count: i64,
    total: i64,
}

impl ListPage<'_> {
    fn heading(&self) -> String {
        match self.filter.month {
            Some(m) => format!("Expenses in {}", m.label()),
            None => "All expenses".into(),
        }
    }

    fn month_value(&self) -> String {
        self.filter.month.map(Month::iso).unwrap_or_default()
    }

    fn q_value(&self) -> String {
        self.filter.q.clone().unwrap_or_default()
    }

    fn category_selected(&self, id: &i64) -> bool {
        self.filter.category_id == Some(*id)
    }

    fn export_url(&self) -> String {
        format!("/expenses/export.csv?{}", filter_query(self.filter))
    }

    fn month_url(&self, forward: bool) -> Option<String> {
        let m = self.filter.month?;
        let target = if forward { m.next() } else { m.prev() };
        let f = ExpenseFilter {
            month: Some(target),
            ..self.filter.clone()
        };
        Some(format!("/expenses?{}", filter_query(&f)))
    }

    fn all_months_url(&self) -> String {
        let f = ExpenseFilter {
            month: None,
            ..self.filter.clone()
        };
        format!("/expenses?{}", filter_query(&f))
    }
}

async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, site_currency) = who(&ctx)?;
    let filter = query.filter();
    let page = page_number(query.page.as_deref());
    let base = format!("/expenses?{}", filter_query(&filter));
    let f = filter.clone();
    let (t, categories, rows, pagination, total) = state
        .db
        .run(move |conn| {
            let t = open(conn, user_id, &site_currency)?;
            let categories = queries::categories(conn, user_id)?;
            if let Some(id) = f.category_id {
                if !categories.iter().any(|c| c.id == id) {
                    return Err(AppError::NotFound);
                }
            }
            let (count, total) = queries::count_and_total(conn, user_id, &f)?;
            let pagination = Pagination::new(page, PER_PAGE, count, base).check()?;
            let rows = queries::list(conn, user_id, &f, PER_PAGE, pagination.offset())?;
            Ok::<_, AppError>((t, categories, rows, pagination, total))
        })
        .await?;
    render(&ListPage {
        ctx: &ctx,
        t: &t,
        filter: &filter,
        categories: &categories,
        rows: &rows,
        count: pagination.total,
        pagination: &pagination,
        total,
    })
}

// ---- add, edit, delete ----

#[derive(Template)]
#[template(path = "expenses/form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    form: &'a ExpenseForm,
    errors: &'a FieldErrors,
    /// Active categories, plus the expense's own when it is archived.
    categories: &'a [Category],
    editing: Option<i64>,
}

impl FormPage<'_> {
    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/expenses/{id}/edit"),
            None => "/expenses".into(),
        }
    }

    fn selected(&self, id: &i64) -> bool {
        self.form.category_id.trim() == id.to_string()
    }

    fn described(&self, field: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{field}-hint"));
        }
        if self.errors.get(field).is_some() {
            ids.push(format!("{field}-error"));
        }
        ids.join(" ")
    }
}

/// Categories offered in a form: the active ones, and `keep` even if archived.
fn offered(categories: Vec<Category>, keep: Option<i64>) -> Vec<Category> {
    categories
        .into_iter()
        .filter(|c| !c.archived || Some(c.id) == keep)
        .collect()
}

async fn new_form(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (user_id, site_currency) = who(&ctx)?;
    let categories = state
        .db
        .run(move |conn| {
            open(conn, user_id, &site_currency)?;
            Ok::<_, AppError>(queries::categories(conn, user_id)?)
        })
        .await?;
    let categories = offered(categories, None);
    let form = ExpenseForm {
        spent_on: today().format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    render(&FormPage {
        ctx: &ctx,
        form: &form,
        errors: &FieldErrors::new(),
        categories: &categories,
        editing: None,
    })
}

/// Validates the form and the category (the user's own, active or the expense's
/// current one). `Err` is the page to show again (422).
async fn checked(
    ctx: &Ctx,
    state: &AppState,
    form: &ExpenseForm,
    editing: Option<(i64, i64)>,
) -> Result<Result<ExpenseInput, HttpResponse>, AppError> {
    let (user_id, site_currency) = who(ctx)?;
    let categories = state
        .db
        .run(move |conn| {
            open(conn, user_id, &site_currency)?;
            Ok::<_, AppError>(queries::categories(conn, user_id)?)
        })
        .await?;
    let keep = editing.map(|(_, category)| category);
    let categories = offered(categories, keep);
    let result = form.validate();
    let mut errors = match &result {
        Ok(_) => FieldErrors::new(),
        Err(e) => e.clone(),
    };
    if let Ok(input) = &result {
        if !categories.iter().any(|c| c.id == input.category_id) {
            errors.add("category_id", "Choose one of your categories.");
        }
    }
    match result {
        Ok(input) if errors.is_empty() => Ok(Ok(input)),
        _ => Ok(Err(render_invalid(&FormPage {
            ctx,
            form,
            errors: &errors,
            categories: &categories,
            editing: editing.map(|(id, _)| id),
        })?)),
    }
}

async fn create(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<ExpenseForm>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let input = match checked(&ctx, &state, &form, None).await? {
        Ok(input) => input,
        Err(page) => return Ok(page),
    };
    let month = Month::of(input.spent_on);
    state
        .db
        .run(move |conn| queries::create_expense(conn, user_id, &input).map_err(AppError::from))
        .await?;
    flash::success(&session, "The expense is added.");
    Ok(see_other(&format!("/expenses?month={}", month.iso())))
}

async fn mine(state: &AppState, user_id: i64, id: i64) -> Result<super::models::Expense, AppError> {
    state
        .db
        .run(move |conn| queries::find_expense(conn, user_id, id).map_err(AppError::from))
        .await?
        .ok_or(AppError::NotFound)
}

async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let expense = mine(&state, user_id, path.into_inner()).await?;
    let keep = expense.category_id;
    let categories = state
        .db
        .run(move |conn| queries::categories(conn, user_id).map_err(AppError::from))
        .await?;
    let categories = offered(categories, Some(keep));
    render(&FormPage {
        ctx: &ctx,
        form: &ExpenseForm::from_expense(&expense),
        errors: &FieldErrors::new(),
        categories: &categories,
        editing: Some(expense.id),
    })
}

async fn update(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ExpenseForm>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let expense = mine(&state, user_id, path.into_inner()).await?;
    let input = match checked(&ctx, &state, &form, Some((expense.id, expense.category_id))).await? {
        Ok(input) => input,
        Err(page) => return Ok(page),
    };
    let month = Month::of(input.spent_on);
    let id = expense.id;
    state
        .db
        .run(move |conn| queries::update_expense(conn, user_id, id, &input).map_err(AppError::from))
        .await?;
    flash::success(&session, "The expense is saved.");
    Ok(see_other(&format!("/expenses?month={}", month.iso())))
}

async fn delete(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let expense = mine(&state, user_id, path.into_inner()).await?;
    let id = expense.id;
    state
        .db
        .run(move |conn| queries::delete_expense(conn, user_id, id).map_err(AppError::from))
        .await?;
    flash::success(&session, format!("“{}” is deleted.", expense.description));
    Ok(see_other(&format!(
        "/expenses?month={}",
        Month::of(expense.spent_on).iso()
    )))
}

// ---- export ----

async fn export(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    // No query: everything; otherwise the list's filter.
    let filter = if req.query_string().is_empty() {
        ExpenseFilter::default()
    } else {
        query.filter()
    };
    let name = match filter.month {
        Some(m)
            if filter
                == (ExpenseFilter {
                    month: Some(m),
                    ..Default::default()
                }) =>
        {
            format!("expenses-{}.csv", m.iso())
        }
        _ => "expenses.csv".into(),
    };
    let f = filter.clone();
    let rows = state
        .db
        .run(move |conn| {
            if let Some(id) = f.category_id {
                queries::find_category(conn, user_id, id)?.ok_or(AppError::NotFound)?;
            }
            Ok::<_, AppError>(queries::export_rows(conn, user_id, &f)?)
        })
        .await?;
    let body = csv_io::export(&rows).map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(body))
}
