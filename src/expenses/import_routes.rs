//! `GET|POST /expenses/import`: a multipart upload (field `file`). The app's own
//! layout imports at once; any other file gets the mapping form, filled in with what
//! was detected, with a preview; it posts the same fields again with `confirm=1`
//! (the file is kept server-side under a random token, field `upload`). Every field
//! can come with the first upload, so a script can import in one request.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use super::csv_io::{self, AmountColumns, AmountSign, Encoding, Layout, Mapping, Table};
use super::models::Category;
use super::queries;
use super::routes::{open, who, Tracker};
use crate::app::AppState;
use crate::web::csrf::UPLOAD_LIMIT;
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx, FieldErrors};

/// Text fields of the form are short; the file may use the whole upload limit.
const FIELD_LIMIT: usize = 4096;
const MAX_FIELDS: usize = 64;
const PREVIEW_ROWS: usize = 5;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/expenses/import")
            .route(web::get().to(page))
            .route(web::post().to(upload)),
    );
}

/// The mapping form's fields as text (shown again as typed).
#[derive(Debug, Default, Clone)]
pub struct MappingFields {
    pub skip_rows: String,
    pub delimiter: String,
    pub encoding: String,
    pub date_column: String,
    pub date_format: String,
    pub amount_column: String,
    pub debit_column: String,
    pub credit_column: String,
    pub amount_sign: String,
    pub decimal: String,
    pub description_column: String,
    pub category_column: String,
    pub category_id: String,
}

pub struct MappingView {
    pub upload: String,
    pub filename: String,
    pub headers: Vec<String>,
    pub preview: Vec<Vec<String>>,
    pub f: MappingFields,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "expenses/import.html")]
struct ImportPage<'a> {
    ctx: &'a Ctx,
    error: Option<String>,
    bad_lines: &'a [(usize, String)],
    mapping: Option<&'a MappingView>,
    categories: &'a [Category],
}

impl ImportPage<'_> {
    fn is(&self, value: &str, expected: &str) -> bool {
        value == expected
    }

    fn err(&self, field: &str) -> Option<String> {
        self.mapping
            .and_then(|m| m.errors.get(field).map(str::to_owned))
    }

    fn category_selected(&self, id: &i64) -> bool {
        self.mapping
            .is_some_and(|m| m.f.category_id.trim() == id.to_string())
    }

    /// The column selects: (field, label, current value).
    fn column_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let Some(m) = self.mapping else {
            return Vec::new();
        };
        vec![
            ("date_column", "Date", m.f.date_column.clone()),
            (
                "amount_column",
                "Amount (one column)",
                m.f.amount_column.clone(),
            ),
            (
                "debit_column",
                "Or: debit (money out)",
                m.f.debit_column.clone(),
            ),
            (
                "credit_column",
                "and credit (money in)",
                m.f.credit_column.clone(),
            ),
            (
                "description_column",
                "Description",
                m.f.description_column.clone(),
            ),
            (
                "category_column",
                "Category (optional)",
                m.f.category_column.clone(),
            ),
        ]
    }

    fn formats(&self) -> &'static [&'static str] {
        csv_io::DATE_FORMATS
    }
}

async fn page(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (user_id, site_currency) = who(&ctx)?;
    let (_, categories) = load(&state, user_id, site_currency).await?;
    render(&ImportPage {
        ctx: &ctx,
        error: None,
        bad_lines: &[],
        mapping: None,
        categories: &categories,
    })
}

async fn load(
    state: &AppState,
    user_id: i64,
    site_currency: String,
) -> Result<(Tracker, Vec<Category>), AppError> {
    state
        .db
        .run(move |conn| {
            let t = open(conn, user_id, &site_currency)?;
            let categories = queries::categories(conn, user_id)?
                .into_iter()
                .filter(|c| !c.archived)
                .collect::<Vec<_>>();
            Ok::<_, AppError>((t, categories))
        })
        .await
}

struct Upload {
    fields: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
}

async fn read_upload(mut payload: Multipart) -> Result<Upload, AppError> {
    let mut fields = HashMap::new();
    let mut file = None;
    let mut count = 0;
    while let Some(item) = payload.next().await {
        let mut field =
            item.map_err(|e| AppError::BadRequest(format!("The upload cannot be read: {e}")))?;
        count += 1;
        if count > MAX_FIELDS {
            return Err(AppError::BadRequest("The form has too many fields.".into()));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let limit = if name == "file" {
            UPLOAD_LIMIT
        } else {
            FIELD_LIMIT
        };
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|e| AppError::BadRequest(format!("The upload cannot be read: {e}")))?;
            if data.len() + chunk.len() > limit {
                return Err(AppError::PayloadTooLarge);
            }
            data.extend_from_slice(&chunk);
        }
        if name == "file" {
            file = Some((filename.unwrap_or_else(|| "upload.csv".into()), data));
        } else {
            fields.insert(name, String::from_utf8_lossy(&data).into_owned());
        }
    }
    Ok(Upload { fields, file })
}

fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    fields.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// The mapping: the fields sent, and for the others what the file suggests.
fn fill(
    fields: &HashMap<String, String>,
    table: &Table,
    skip_rows: usize,
    delimiter: u8,
    encoding: Encoding,
) -> MappingFields {
    let given = |name: &str| fields.get(name).map(|s| s.trim().to_owned());
    let header = |i: Option<usize>| {
        i.and_then(|i| table.headers.get(i).cloned())
            .unwrap_or_default()
    };
    let h = &table.headers;
    let date_column = given("date_column")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| header(csv_io::guess_column(h, csv_io::DATE_WORDS)));
    let amount_given = fields.contains_key("amount_column")
        || fields.contains_key("debit_column")
        || fields.contains_key("credit_column");
    let (amount_column, debit_column, credit_column) = if amount_given {
        (
            given("amount_column").unwrap_or_default(),
            given("debit_column").unwrap_or_default(),
            given("credit_column").unwrap_or_default(),
        )
    } else {
        match csv_io::guess_column(h, csv_io::AMOUNT_WORDS) {
            Some(i) => (header(Some(i)), String::new(), String::new()),
            None => (
                String::new(),
                header(csv_io::guess_column(h, csv_io::DEBIT_WORDS)),
                header(csv_io::guess_column(h, csv_io::CREDIT_WORDS)),
            ),
        }
    };
    let date_format = given("date_format")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            let samples: Vec<&str> = csv_io::column_named(h, &date_column)
                .map(|i| {
                    table
                        .rows
                        .iter()
                        .filter_map(|(_, r)| r.get(i))
                        .take(40)
                        .collect()
                })
                .unwrap_or_default();
            csv_io::guess_date_format(&samples)
                .unwrap_or("%Y-%m-%d")
                .to_owned()
        });
    let decimal = given("decimal")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            let columns: Vec<usize> = [&amount_column, &debit_column, &credit_column]
                .iter()
                .filter_map(|name| csv_io::column_named(h, name))
                .collect();
            let samples: Vec<&str> = table
                .rows
                .iter()
                .take(40)
                .flat_map(|(_, r)| columns.iter().filter_map(|i| r.get(*i)))
                .collect();
            csv_io::guess_decimal(&samples).to_string()
        });
    MappingFields {
        skip_rows: skip_rows.to_string(),
        delimiter: csv_io::delimiter_name(delimiter).to_owned(),
        encoding: encoding.as_str().to_owned(),
        date_column,
        date_format,
        amount_column,
        debit_column,
        credit_column,
        amount_sign: given("amount_sign")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "negative_is_expense".into()),
        decimal,
        description_column: given("description_column")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| header(csv_io::guess_column(h, csv_io::DESCRIPTION_WORDS))),
        category_column: given("category_column")
            .unwrap_or_else(|| header(csv_io::guess_column(h, csv_io::CATEGORY_WORDS))),
        category_id: given("category_id").unwrap_or_default(),
    }
}

/// Checks a mapping against the file's header row and the user's categories.
fn check(
    f: &MappingFields,
    headers: &[String],
    categories: &[Category],
) -> Result<(Mapping, Option<i64>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let column = |errors: &mut FieldErrors, key: &'static str, value: &str, what: &str| {
        let found = csv_io::column_named(headers, value);
        if found.is_none() {
            errors.add(key, format!("Choose the column with the {what}."));
        }
        found
    };
    let date = column(&mut errors, "date_column", &f.date_column, "date");
    if f.date_format.trim().is_empty() {
        errors.add("date_format", "Enter the date format, e.g. %d.%m.%Y.");
    }
    let sign = AmountSign::parse(&f.amount_sign);
    if sign.is_none() {
        errors.add(
            "amount_sign",
            "Choose negative_is_expense or positive_is_expense.",
        );
    }
    let amount = if !f.amount_column.trim().is_empty() {
        column(&mut errors, "amount_column", &f.amount_column, "amount")
            .zip(sign)
            .map(|(i, s)| AmountColumns::Single(i, s))
    } else {
        let debit = csv_io::column_named(headers, &f.debit_column);
        let credit = csv_io::column_named(headers, &f.credit_column);
        if !f.debit_column.trim().is_empty() && debit.is_none() {
            errors.add("debit_column", "There is no column with this name.");
        }
        if !f.credit_column.trim().is_empty() && credit.is_none() {
            errors.add("credit_column", "There is no column with this name.");
        }
        if debit.is_none() && credit.is_none() {
            errors.add(
                "amount_column",
                "Choose the amount column, or the debit and credit columns.",
            );
            None
        } else {
            Some(AmountColumns::DebitCredit(debit, credit))
        }
    };
    let decimal = match f.decimal.trim() {
        "." => Some('.'),
        "," => Some(','),
        _ => {
            errors.add("decimal", "Choose . or , as the decimal mark.");
            None
        }
    };
    let description = column(
        &mut errors,
        "description_column",
        &f.description_column,
        "description",
    );
    let category = if f.category_column.trim().is_empty() {
        None
    } else {
        let found = csv_io::column_named(headers, &f.category_column);
        if found.is_none() {
            errors.add("category_column", "There is no column with this name.");
        }
        found
    };
    let category_id = if f.category_id.trim().is_empty() {
        None
    } else {
        let id = f.category_id.trim().parse::<i64>().ok();
        if id.is_none_or(|id| !categories.iter().any(|c| c.id == id)) {
            errors.add("category_id", "Choose one of your categories.");
        }
        id
    };
    match (date, amount, decimal, description) {
        (Some(date), Some(amount), Some(decimal), Some(description)) if errors.is_empty() => Ok((
            Mapping {
                date,
                date_format: f.date_format.trim().to_owned(),
                amount,
                decimal,
                description,
                category,
            },
            category_id,
        )),
        _ => Err(errors),
    }
}

fn preview(table: &Table) -> Vec<Vec<String>> {
    table
        .rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|(_, r)| {
            (0..table.headers.len())
                .map(|i| r.get(i).unwrap_or("").to_owned())
                .collect()
        })
        .collect()
}

/// The summary shown after an import.
pub fn summary(outcome: &csv_io::Outcome, parsed: &csv_io::Parsed) -> String {
    let skipped = outcome.duplicates + parsed.income_or_zero + parsed.skipped_lines.len();
    let mut text = format!(
        "Imported {} {}, skipped {skipped}: {} already recorded, {} money coming in or zero, {} without a date or amount",
        outcome.imported,
        if outcome.imported == 1 { "expense" } else { "expenses" },
        outcome.duplicates,
        parsed.income_or_zero,
        parsed.skipped_lines.len(),
    );
    if !parsed.skipped_lines.is_empty() {
        let shown: Vec<String> = parsed
            .skipped_lines
            .iter()
            .take(20)
            .map(|l| l.to_string())
            .collect();
        let more = parsed.skipped_lines.len().saturating_sub(20);
        text.push_str(&format!(" (line {}", shown.join(", ")));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text.push(')');
    }
    text.push('.');
    if outcome.categories_created > 0 {
        text.push_str(&format!(
            " {} new {} created.",
            outcome.categories_created,
            if outcome.categories_created == 1 {
                "category was"
            } else {
                "categories were"
            }
        ));
    }
    text
}

enum Next {
    /// Show the page: (status 422?, error, bad lines, mapping)
    Page(
        bool,
        Option<String>,
        Vec<(usize, String)>,
        Option<Box<MappingView>>,
    ),
    Done(String),
}

async fn upload(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (user_id, site_currency) = who(&ctx)?;
    let upload = read_upload(payload).await?;
    let (_, categories) = load(&state, user_id, site_currency).await?;
    let fields = upload.fields;
    let token = field(&fields, "upload").map(str::to_owned);
    let confirm = field(&fields, "confirm") == Some("1");

    // The file: uploaded now, or kept from the first step.
    let file = match upload.file.filter(|(_, data)| !data.is_empty()) {
        Some(f) => Some((f, None)),
        None => match &token {
            Some(tok) => {
                let tok = tok.clone();
                let lookup = tok.clone();
                state
                    .db
                    .run(move |conn| {
                        csv_io::load_upload(conn, user_id, &lookup).map_err(AppError::from)
                    })
                    .await?
                    .map(|f| (f, Some(tok)))
            }
            None => None,
        },
    };
    let next = match file {
        None => Next::Page(
            true,
            Some(if token.is_some() {
                "The uploaded file is no longer here (uploads are kept for a day). Please upload it again.".into()
            } else {
                "Choose a CSV file to import.".into()
            }),
            Vec::new(),
            None,
        ),
        Some(((filename, bytes), kept)) => {
            process(
                &state,
                user_id,
                &categories,
                &fields,
                filename,
                bytes,
                kept,
                confirm,
            )
            .await?
        }
    };
    match next {
        Next::Done(message) => {
            flash::success(&session, message);
            Ok(see_other("/expenses/import"))
        }
        Next::Page(invalid, error, bad_lines, mapping) => {
            let page = ImportPage {
                ctx: &ctx,
                error,
                bad_lines: &bad_lines,
                mapping: mapping.as_deref(),
                categories: &categories,
            };
            if invalid {
                render_invalid(&page)
            } else {
                render(&page)
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn process(
    state: &AppState,
    user_id: i64,
    categories: &[Category],
    fields: &HashMap<String, String>,
    filename: String,
    bytes: Vec<u8>,
    kept: Option<String>,
    confirm: bool,
) -> Result<Next, AppError> {
    let fail = |message: String| Ok(Next::Page(true, Some(message), Vec::new(), None));
    let encoding = match field(fields, "encoding") {
        None => None,
        Some(e) => match Encoding::parse(e) {
            Some(e) => Some(e),
            None => return fail("Choose the encoding utf-8 or latin1.".into()),
        },
    };
    let (text, encoding) = match csv_io::decode(&bytes, encoding) {
        Ok(x) => x,
        Err(message) => return fail(message),
    };
    let detected = csv_io::detect(&text);
    let delimiter = match field(fields, "delimiter") {
        None => detected.delimiter,
        Some(d) => match csv_io::parse_delimiter(d) {
            Some(d) => d,
            None => return fail("Choose the delimiter , ; or tab.".into()),
        },
    };
    let skip_rows = match field(fields, "skip_rows") {
        None => detected.skip_rows,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n <= 1000 => n,
            _ => {
                return fail("Enter the number of lines before the header row (0 to 1000).".into())
            }
        },
    };
    let mut table = match csv_io::read_table(&text, delimiter, skip_rows) {
        Ok(t) => t,
        Err(message) => return fail(message),
    };
    // The app's own layout imports at once, whatever mapping came with it.
    let mut layout = csv_io::own_layout(&table.headers).map(Layout::Own);
    if layout.is_none() && (delimiter, skip_rows) != (detected.delimiter, detected.skip_rows) {
        if let Ok(auto) = csv_io::read_table(&text, detected.delimiter, detected.skip_rows) {
            if let Some(own) = csv_io::own_layout(&auto.headers) {
                table = auto;
                layout = Some(Layout::Own(own));
            }
        }
    }
    let mut default_category = None;
    let layout = match layout {
        Some(own) => own,
        None => {
            let f = fill(fields, &table, skip_rows, delimiter, encoding);
            let checked = check(&f, &table.headers, categories);
            match (confirm, checked) {
                (true, Ok((mapping, category_id))) => {
                    default_category = category_id;
                    Layout::Mapped(mapping)
                }
                (confirm, checked) => {
                    let errors = match checked {
                        Err(errors) if confirm => errors,
                        _ => FieldErrors::new(),
                    };
                    let upload = keep(state, user_id, &filename, bytes, kept).await?;
                    return Ok(Next::Page(
                        confirm,
                        None,
                        Vec::new(),
                        Some(Box::new(MappingView {
                            upload,
                            filename,
                            headers: table.headers.clone(),
                            preview: preview(&table),
                            f,
                            errors,
                        })),
                    ));
                }
            }
        }
    };
    let parsed = csv_io::parse_rows(&table, &layout);
    if !parsed.errors.is_empty() {
        let mapping = match &layout {
            Layout::Own(_) => None,
            Layout::Mapped(_) => {
                let upload = keep(state, user_id, &filename, bytes, kept).await?;
                Some(Box::new(MappingView {
                    upload,
                    filename,
                    headers: table.headers.clone(),
                    preview: preview(&table),
                    f: fill(fields, &table, skip_rows, delimiter, encoding),
                    errors: FieldErrors::new(),
                }))
            }
        };
        return Ok(Next::Page(
            true,
            Some(format!(
                "Nothing was imported: {} {} cannot be read. Correct the file (or the mapping) and upload it again.",
                parsed.errors.len(),
                if parsed.errors.len() == 1 { "line" } else { "lines" }
            )),
            parsed.errors,
            mapping,
        ));
    }
    let rows = parsed.rows.clone();
    let forget = kept.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let outcome = csv_io::store(conn, user_id, &rows, default_category)?;
            if let Some(token) = forget {
                csv_io::forget_upload(conn, user_id, &token)?;
            }
            Ok::<_, AppError>(outcome)
        })
        .await?;
    Ok(Next::Done(summary(&outcome, &parsed)))
}

/// The token of the kept upload (stored now if it was not yet).
async fn keep(
    state: &AppState,
    user_id: i64,
    filename: &str,
    bytes: Vec<u8>,
    kept: Option<String>,
) -> Result<String, AppError> {
    if let Some(token) = kept {
        return Ok(token);
    }
    let name = filename.to_owned();
    state
        .db
        .run(move |conn| csv_io::keep_upload(conn, user_id, &name, &bytes).map_err(AppError::from))
        .await
}
