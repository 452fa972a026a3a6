//! Categories (create, edit, archive / delete / restore) and the tracker's currency.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::models::{Category, CategoryForm, CategoryInput};
use super::money;
use super::queries::{self, ArchiveOutcome};
use super::routes::{open, who, Tracker};
use crate::app::AppState;
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx, FieldErrors};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/expenses/categories")
            .route(web::get().to(page))
            .route(web::post().to(create)),
    )
    .service(web::resource("/expenses/categories/{id}/edit").route(web::post().to(update)))
    .service(web::resource("/expenses/categories/{id}/archive").route(web::post().to(archive)))
    .service(web::resource("/expenses/currency").route(web::post().to(set_currency)));
}

#[derive(Template)]
#[template(path = "expenses/categories.html")]
struct CategoriesPage<'a> {
    ctx: &'a Ctx,
    t: &'a Tracker,
    categories: &'a [Category],
    new_form: &'a CategoryForm,
    new_errors: &'a FieldErrors,
    /// A category whose edit came back with errors.
    edit: Option<(i64, &'a CategoryForm, &'a FieldErrors)>,
    currency: &'a str,
    currency_error: Option<&'a str>,
}

impl CategoriesPage<'_> {
    fn value(&self, c: &Category, field: &str) -> String {
        let form = match self.edit {
            Some((id, form, _)) if id == c.id => form.clone(),
            _ => CategoryForm::from_category(c),
        };
        match field {
            "name" => form.name,
            "monthly_budget" => form.monthly_budget,
            _ => form.color,
        }
    }

    fn error(&self, c: &Category, field: &str) -> Option<String> {
        match self.edit {
            Some((id, _, errors)) if id == c.id => errors.get(field).map(str::to_owned),
            _ => None,
        }
    }

    fn is_open(&self, c: &Category) -> bool {
        matches!(self.edit, Some((id, _, _)) if id == c.id)
    }

    fn new_color(&self) -> String {
        if self.new_form.color.is_empty() {
            queries::PALETTE[self.categories.len() % queries::PALETTE.len()].to_owned()
        } else {
            self.new_form.color.clone()
        }
    }
}

struct PageData {
    t: Tracker,
    categories: Vec<Category>,
}

async fn load(ctx: &Ctx, state: &AppState) -> Result<PageData, AppError> {
    let (user_id, site_currency) = who(ctx)?;
    state
        .db
        .run(move |conn| {
            let t = open(conn, user_id, &site_currency)?;
            let categories = queries::categories(conn, user_id)?;
            Ok::<_, AppError>(PageData { t, categories })
        })
        .await
}

fn user_currency(t: &Tracker, ctx: &Ctx) -> String {
    if t.currency == ctx.site.currency {
        String::new()
    } else {
        t.currency.clone()
    }
}

async fn page(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    show(&ctx, &state, Invalid::Nothing).await
}

/// Which form of the categories page came back with errors.
#[derive(Clone, Copy)]
enum Invalid<'a> {
    Nothing,
    New(&'a CategoryForm, &'a FieldErrors),
    Edit(i64, &'a CategoryForm, &'a FieldErrors),
    /// The currency as typed, and why it was refused.
    Currency(&'a str, &'a str),
}

/// The categories page, with the invalid form (if any) shown again with status 422.
async fn show(ctx: &Ctx, state: &AppState, invalid: Invalid<'_>) -> Result<HttpResponse, AppError> {
    let data = load(ctx, state).await?;
    let (blank, no_errors) = (CategoryForm::default(), FieldErrors::new());
    let current_currency = user_currency(&data.t, ctx);
    let (new_form, new_errors) = match invalid {
        Invalid::New(form, errors) => (form, errors),
        _ => (&blank, &no_errors),
    };
    let edit = match invalid {
        Invalid::Edit(id, form, errors) => Some((id, form, errors)),
        _ => None,
    };
    let (currency, currency_error) = match invalid {
        Invalid::Currency(typed, message) => (typed, Some(message)),
        _ => (current_currency.as_str(), None),
    };
    let page = CategoriesPage {
        ctx,
        t: &data.t,
        categories: &data.categories,
        new_form,
        new_errors,
        edit,
        currency,
        currency_error,
    };
    if matches!(invalid, Invalid::Nothing) {
        render(&page)
    } else {
        render_invalid(&page)
    }
}

/// The form's input, with the name checked against the user's other categories.
async fn validated(
    state: &AppState,
    user_id: i64,
    form: &CategoryForm,
    except: Option<i64>,
) -> Result<Result<CategoryInput, FieldErrors>, AppError> {
    let mut input = form.validate();
    if let Ok(ok) = &input {
        let name = ok.name.clone();
        let taken = state
            .db
            .run(move |conn| {
                queries::category_name_taken(conn, user_id, &name, except).map_err(AppError::from)
            })
            .await?;
        if taken {
            let mut errors = FieldErrors::new();
            errors.add("name", "You already have a category with this name.");
            input = Err(errors);
        }
    }
    Ok(input)
}

async fn create(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    match validated(&state, user_id, &form, None).await? {
        Ok(input) => {
            let name = input.name.clone();
            state
                .db
                .run(move |conn| {
                    queries::create_category(conn, user_id, &input).map_err(AppError::from)
                })
                .await?;
            flash::success(&session, format!("The category “{name}” is added."));
            Ok(see_other("/expenses/categories"))
        }
        Err(errors) => show(&ctx, &state, Invalid::New(&form, &errors)).await,
    }
}

async fn own_category(state: &AppState, user_id: i64, id: i64) -> Result<Category, AppError> {
    state
        .db
        .run(move |conn| queries::find_category(conn, user_id, id).map_err(AppError::from))
        .await?
        .ok_or(AppError::NotFound)
}

async fn update(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let category = own_category(&state, user_id, path.into_inner()).await?;
    let id = category.id;
    match validated(&state, user_id, &form, Some(id)).await? {
        Ok(input) => {
            state
                .db
                .run(move |conn| {
                    queries::update_category(conn, user_id, id, &input).map_err(AppError::from)
                })
                .await?;
            flash::success(&session, "The category is saved.");
            Ok(see_other("/expenses/categories"))
        }
        Err(errors) => show(&ctx, &state, Invalid::Edit(id, &form, &errors)).await,
    }
}

async fn archive(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let category = own_category(&state, user_id, path.into_inner()).await?;
    let name = category.name.clone();
    let outcome = state
        .db
        .run(move |conn| queries::archive_category(conn, &category).map_err(AppError::from))
        .await?;
    let message = match outcome {
        ArchiveOutcome::Archived => {
            format!("“{name}” is archived: its expenses stay, new expenses cannot use it.")
        }
        ArchiveOutcome::Deleted => format!("“{name}” is deleted (no expense used it)."),
        ArchiveOutcome::Restored => format!("“{name}” is back in use."),
    };
    flash::success(&session, message);
    Ok(see_other("/expenses/categories"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CurrencyForm {
    pub currency: String,
}

/// The user's own currency; empty means the site's.
async fn set_currency(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<CurrencyForm>,
) -> Result<HttpResponse, AppError> {
    let (user_id, _) = who(&ctx)?;
    let parsed = if form.currency.trim().is_empty() {
        Ok(None)
    } else {
        money::parse_currency(&form.currency).map(Some)
    };
    match parsed {
        Ok(code) => {
            state
                .db
                .run(move |conn| {
                    queries::set_currency(conn, user_id, code.as_deref()).map_err(AppError::from)
                })
                .await?;
            flash::success(&session, "The currency is saved.");
            Ok(see_other("/expenses/categories"))
        }
        Err(message) => show(&ctx, &state, Invalid::Currency(&form.currency, &message)).await,
    }
}
