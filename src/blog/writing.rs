//! Writing: the editor (with a server-rendered preview), saving, deleting, and
//! the dashboard. Authors and admins only; an author changes only their own.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::markdown;
use super::models::{can_edit, human_date, Article, ArticleForm};
use super::queries::{self, DashboardRow, SaveOutcome};
use crate::accounts::models::Role;
use crate::app::AppState;
use crate::web::pagination::{page_number, PageQuery, Pagination};
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx, FieldErrors};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/articles/new").route(web::get().to(new_form)))
        .service(web::resource("/articles").route(web::post().to(create)))
        .service(
            web::resource("/articles/{slug}/edit")
                .route(web::get().to(edit_form))
                .route(web::post().to(update)),
        )
        .service(web::resource("/articles/{slug}/delete").route(web::post().to(delete)))
        .service(web::resource("/dashboard").route(web::get().to(dashboard)));
}

#[derive(Template)]
#[template(path = "blog/editor.html")]
struct EditorPage<'a> {
    ctx: &'a Ctx,
    form: &'a ArticleForm,
    errors: &'a FieldErrors,
    /// The article's current slug when editing; `None` for a new one.
    editing: Option<&'a str>,
    preview: Option<String>,
}

impl EditorPage<'_> {
    fn action(&self) -> String {
        match self.editing {
            Some(slug) => format!("/articles/{slug}/edit"),
            None => "/articles".into(),
        }
    }

    fn status_is(&self, value: &str) -> bool {
        self.form.status == value || (self.form.status.is_empty() && value == "draft")
    }
}

async fn new_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Author)?;
    render(&EditorPage {
        ctx: &ctx,
        form: &ArticleForm {
            status: "draft".into(),
            ..Default::default()
        },
        errors: &FieldErrors::new(),
        editing: None,
        preview: None,
    })
}

/// Preview or save, for both new and edited articles.
async fn submit(
    ctx: &Ctx,
    session: &Session,
    state: &AppState,
    form: ArticleForm,
    old: Option<Article>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_role(Role::Author)?;
    let editing = old.as_ref().map(|a| a.slug.as_str());
    if form.action == "preview" {
        let preview = Some(markdown::render_article(&form.body).html);
        return render(&EditorPage {
            ctx,
            form: &form,
            errors: &FieldErrors::new(),
            editing,
            preview,
        });
    }
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => {
            return render_invalid(&EditorPage {
                ctx,
                form: &form,
                errors: &errors,
                editing,
                preview: None,
            })
        }
    };
    let author_id = user.id;
    let old_for_save = old.clone();
    let outcome = state
        .db
        .run(move |conn| {
            match &old_for_save {
                Some(old) => queries::update(conn, old, &input),
                None => queries::create(conn, author_id, &input),
            }
            .map_err(AppError::from)
        })
        .await?;
    match outcome {
        SaveOutcome::Saved { slug } => {
            flash::success(
                session,
                if old.is_some() {
                    "The article is saved."
                } else {
                    "The article is created."
                },
            );
            Ok(see_other(&format!("/articles/{slug}")))
        }
        SaveOutcome::SlugTaken => {
            let mut errors = FieldErrors::new();
            errors.add("slug", "Another article uses this slug. Choose another.");
            render_invalid(&EditorPage {
                ctx,
                form: &form,
                errors: &errors,
                editing,
                preview: None,
            })
        }
    }
}

async fn create(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<ArticleForm>,
) -> Result<HttpResponse, AppError> {
    submit(&ctx, &session, &state, form.into_inner(), None).await
}

/// The article behind `slug` if the current user may change it: 404 when it does
/// not exist, 403 when it is someone else's.
async fn editable(ctx: &Ctx, state: &AppState, slug: String) -> Result<Article, AppError> {
    let user = ctx.require_role(Role::Author)?;
    let (article, _) = state
        .db
        .run(move |conn| queries::find_by_slug(conn, &slug).map_err(AppError::from))
        .await?
        .ok_or(AppError::NotFound)?;
    if can_edit(user, article.author_id) {
        Ok(article)
    } else {
        Err(AppError::Forbidden(
            "Only the article's author or an admin may change it.".into(),
        ))
    }
}

async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let article = editable(&ctx, &state, path.into_inner()).await?;
    let id = article.id;
    let tags = state
        .db
        .run(move |conn| queries::tags_for(conn, &[id]).map_err(AppError::from))
        .await?
        .remove(&id)
        .unwrap_or_default();
    render(&EditorPage {
        ctx: &ctx,
        form: &ArticleForm::from_article(&article, &tags),
        errors: &FieldErrors::new(),
        editing: Some(&article.slug),
        preview: None,
    })
}

async fn update(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ArticleForm>,
) -> Result<HttpResponse, AppError> {
    let article = editable(&ctx, &state, path.into_inner()).await?;
    submit(&ctx, &session, &state, form.into_inner(), Some(article)).await
}

async fn delete(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let article = editable(&ctx, &state, path.into_inner()).await?;
    let id = article.id;
    state
        .db
        .run(move |conn| queries::delete(conn, id).map_err(AppError::from))
        .await?;
    flash::success(&session, format!("“{}” is deleted.", article.title));
    Ok(see_other("/dashboard"))
}

#[derive(Template)]
#[template(path = "blog/dashboard.html")]
struct DashboardPage<'a> {
    ctx: &'a Ctx,
    rows: &'a [DashboardRow],
    pagination: &'a Pagination,
    all_authors: bool,
}

impl DashboardRow {
    pub fn date(&self) -> String {
        match self.published_at {
            Some(at) => human_date(&at),
            None => "—".into(),
        }
    }
}

async fn dashboard(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.require_role(Role::Author)?;
    let all_authors = user.role == Role::Admin;
    let author = if all_authors { None } else { Some(user.id) };
    let page = page_number(query.page.as_deref());
    let per_page = 25;
    let (rows, pagination) = state
        .db
        .run(move |conn| {
            let (rows, total) = queries::dashboard(conn, author, per_page, (page - 1) * per_page)?;
            let pagination = Pagination::new(page, per_page, total, "/dashboard").check()?;
            Ok::<_, AppError>((rows, pagination))
        })
        .await?;
    render(&DashboardPage {
        ctx: &ctx,
        rows: &rows,
        pagination: &pagination,
        all_authors,
    })
}
