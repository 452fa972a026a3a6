//! CSV export and import.
//!
//! Export: header `date,amount,category,description,notes`, ISO dates, plain amounts.
//! Text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR
//! first) get a leading `'`, which the import removes again, so a round trip is exact.
//!
//! Import: a file in that layout (columns in any order, `notes` optional) imports at
//! once; any other layout needs a mapping (see DESIGN.md for the fields). The whole
//! file is checked first: one bad line and nothing is imported. Rows equal to an
//! existing expense (date, amount, description) are skipped; the file is written in
//! one transaction with batched inserts.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{self, Month, NewExpense, DESCRIPTION_MAX, NOTES_MAX};
use super::money;
use super::queries::{self, ExportRow, PALETTE};
use crate::db::schema::{expense_categories, expense_uploads, expenses};
use crate::db::{now, DbConn};

pub const HEADER: [&str; 5] = ["date", "amount", "category", "description", "notes"];
/// Rows per INSERT statement (9 values each: well below both backends' limits).
const BATCH: usize = 1000;
/// Lines looked at to find the delimiter, the header row and the date format.
const SAMPLE_LINES: usize = 40;

fn needs_guard(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => needs_guard(&s[1..]),
        _ => false,
    }
}

/// A text cell as exported: formula-like text gets a leading `'`.
pub fn guard_cell(s: &str) -> String {
    if needs_guard(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The inverse of [`guard_cell`].
pub fn unguard_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

pub fn export(rows: &[ExportRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 48 + 64));
    writer.write_record(HEADER)?;
    for row in rows {
        writer.write_record([
            row.spent_on.format("%Y-%m-%d").to_string(),
            money::format_plain(row.amount_cents),
            guard_cell(&row.category),
            guard_cell(&row.description),
            guard_cell(&row.notes),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

// ---- reading a file ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Latin1,
}

impl Encoding {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" | "windows-1252" | "cp1252" => {
                Some(Encoding::Latin1)
            }
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Latin1 => "latin1",
        }
    }
}

/// The file as text. Without a stated encoding, UTF-8 when it is valid, else
/// Latin-1 (Windows-1252). A BOM is ignored.
pub fn decode(bytes: &[u8], encoding: Option<Encoding>) -> Result<(String, Encoding), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match encoding {
        Some(Encoding::Utf8) => std::str::from_utf8(bytes)
            .map(|s| (s.to_owned(), Encoding::Utf8))
            .map_err(|_| {
                "The file is not valid UTF-8. Choose the encoding latin1 and try again.".into()
            }),
        Some(Encoding::Latin1) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok((text.into_owned(), Encoding::Latin1))
        }
        None => match std::str::from_utf8(bytes) {
            Ok(s) => Ok((s.to_owned(), Encoding::Utf8)),
            Err(_) => decode(bytes, Some(Encoding::Latin1)),
        },
    }
}

pub fn parse_delimiter(s: &str) -> Option<u8> {
    match s.trim() {
        "," | "comma" => Some(b','),
        ";" | "semicolon" => Some(b';'),
        "tab" | "\t" => Some(b'\t'),
        "" if s == "\t" => Some(b'\t'),
        _ => None,
    }
}

pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b';' => ";",
        b'\t' => "tab",
        _ => ",",
    }
}

/// The text after the first `n` lines.
fn skip_lines(text: &str, n: usize) -> &str {
    let mut rest = text;
    for _ in 0..n {
        match rest.find('\n') {
            Some(i) => rest = &rest[i + 1..],
            None => return "",
        }
    }
    rest
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The 1-based line a record starts on. The csv crate reports where it began
/// reading, which is before any blank lines it skipped: step over those.
fn record_line(text: &str, record: &csv::StringRecord) -> usize {
    let Some(pos) = record.position() else {
        return 0;
    };
    let mut line = pos.line() as usize;
    let start = (pos.byte() as usize).min(text.len());
    for b in text.as_bytes()[start..].iter() {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// What the start of a file tells: delimiter and the header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub delimiter: u8,
    pub skip_rows: usize,
}

/// Finds the delimiter that splits most sample lines into the same number (≥ 2) of
/// fields, and the first line with that many fields as the header row (the lines
/// before it are a preamble).
pub fn detect(text: &str) -> Detected {
    let mut best: Option<(usize, usize, Detected)> = None;
    for delimiter in [b',', b';', b'\t'] {
        let mut records: Vec<(usize, usize)> = Vec::new(); // (line index, fields)
        for record in reader(text, delimiter).records().take(SAMPLE_LINES) {
            let Ok(record) = record else { break };
            let line = record_line(text, &record).max(1);
            records.push((line - 1, record.len()));
        }
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for (_, n) in &records {
            if *n >= 2 {
                *counts.entry(*n).or_default() += 1;
            }
        }
        let Some((&fields, &hits)) = counts
            .iter()
            .max_by_key(|(fields, hits)| (**hits, **fields))
        else {
            continue;
        };
        let skip_rows = records
            .iter()
            .find(|(_, n)| *n == fields)
            .map(|(line, _)| *line)
            .unwrap_or(0);
        let candidate = Detected {
            delimiter,
            skip_rows,
        };
        if best
            .as_ref()
            .is_none_or(|(h, f, _)| (hits, fields) > (*h, *f))
        {
            best = Some((hits, fields, candidate));
        }
    }
    best.map(|(_, _, d)| d).unwrap_or(Detected {
        delimiter: b',',
        skip_rows: 0,
    })
}

/// The header row and the data rows (with their line numbers in the file).
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, csv::StringRecord)>,
}

pub fn read_table(text: &str, delimiter: u8, skip_rows: usize) -> Result<Table, String> {
    let body = skip_lines(text, skip_rows);
    let mut records = reader(body, delimiter).into_records();
    let headers = match records.next() {
        Some(Ok(h)) => h.iter().map(|s| s.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(format!("The header row cannot be read: {e}")),
        None => return Err("The file has no header row (or every line was skipped).".into()),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| {
            let line = e
                .position()
                .map(|p| p.line() as usize + skip_rows)
                .unwrap_or(0);
            format!("Line {line} cannot be read as CSV: {e}")
        })?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = record_line(body, &record) + skip_rows;
        rows.push((line, record));
    }
    Ok(Table { headers, rows })
}

/// Columns of the app's own layout, when the header names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnLayout {
    pub date: usize,
    pub amount: usize,
    pub category: usize,
    pub description: usize,
    pub notes: Option<usize>,
}

pub fn own_layout(headers: &[String]) -> Option<OwnLayout> {
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    Some(OwnLayout {
        date: find("date")?,
        amount: find("amount")?,
        category: find("category")?,
        description: find("description")?,
        notes: find("notes"),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountSign {
    NegativeIsExpense,
    PositiveIsExpense,
}

impl AmountSign {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "negative_is_expense" => Some(AmountSign::NegativeIsExpense),
            "positive_is_expense" => Some(AmountSign::PositiveIsExpense),
            _ => None,
        }
    }
}

/// Where the amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountColumns {
    Single(usize, AmountSign),
    DebitCredit(Option<usize>, Option<usize>),
}

/// A complete, checked mapping of a foreign layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub date: usize,
    pub date_format: String,
    pub amount: AmountColumns,
    pub decimal: char,
    pub description: usize,
    pub category: Option<usize>,
}

/// How each row is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    Own(OwnLayout),
    Mapped(Mapping),
}

pub const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%d.%m.%y",
    "%m/%d/%y",
    "%d/%m/%y",
];

/// A date in `format`; formats with a time of day give its date.
pub fn parse_date(value: &str, format: &str) -> Option<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, format)
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(value, format)
                .ok()
                .map(|dt| dt.date())
        })
        .filter(|d| (1900..=9999).contains(&chrono::Datelike::year(d)))
}

/// The first format that reads every sample value.
pub fn guess_date_format(samples: &[&str]) -> Option<&'static str> {
    let samples: Vec<&str> = samples
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .take(SAMPLE_LINES)
        .collect();
    if samples.is_empty() {
        return None;
    }
    DATE_FORMATS
        .iter()
        .copied()
        .find(|f| samples.iter().all(|s| parse_date(s, f).is_some()))
}

/// `,` when amounts end in a comma and two digits, else `.`.
pub fn guess_decimal(samples: &[&str]) -> char {
    let comma = samples.iter().any(|s| {
        let s = s.trim().trim_end_matches(|c: char| !c.is_ascii_digit());
        s.len() > 3 && s.as_bytes()[s.len() - 3] == b','
    });
    if comma {
        ','
    } else {
        '.'
    }
}

/// The header that best matches one of `words` (as a substring, ignoring case).
pub fn guess_column(headers: &[String], words: &[&str]) -> Option<usize> {
    for word in words {
        if let Some(i) = headers
            .iter()
            .position(|h| h.trim().to_lowercase().contains(word))
        {
            return Some(i);
        }
    }
    None
}

pub const DATE_WORDS: &[&str] = &["date", "datum", "booking", "buchung", "valuta", "fecha"];
pub const AMOUNT_WORDS: &[&str] = &["amount", "betrag", "montant", "importe", "value", "sum"];
pub const DEBIT_WORDS: &[&str] = &["debit", "soll", "withdraw", "paid out", "money out", "out"];
pub const CREDIT_WORDS: &[&str] = &["credit", "haben", "deposit", "paid in", "money in"];
pub const DESCRIPTION_WORDS: &[&str] = &[
    "description",
    "payee",
    "memo",
    "details",
    "verwendungszweck",
    "text",
    "name",
    "reference",
];
pub const CATEGORY_WORDS: &[&str] = &["category", "kategorie"];

/// The column a field names: by its header text (exact, then ignoring case).
pub fn column_named(headers: &[String], name: &str) -> Option<usize> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    headers
        .iter()
        .position(|h| h == name)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
}

// ---- rows ----

/// One row ready to store (its category by name; `None`: the default category).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub spent_on: NaiveDate,
    pub amount_cents: i64,
    pub description: String,
    pub notes: String,
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub rows: Vec<ImportRow>,
    /// Money coming in and zero amounts: skipped and counted.
    pub income_or_zero: usize,
    /// Lines without a date or an amount (balance lines, footers): skipped, listed.
    pub skipped_lines: Vec<usize>,
    /// Bad lines: then nothing is imported.
    pub errors: Vec<(usize, String)>,
}

fn cell(record: &csv::StringRecord, i: usize) -> &str {
    record.get(i).unwrap_or("").trim()
}

fn description_of(raw: &str, truncate: bool) -> Result<String, String> {
    let text = unguard_cell(raw.trim()).trim();
    if text.is_empty() {
        return Err("no description".into());
    }
    if text.chars().count() > DESCRIPTION_MAX {
        if truncate {
            return Ok(text.chars().take(DESCRIPTION_MAX).collect());
        }
        return Err(format!(
            "the description is longer than {DESCRIPTION_MAX} characters"
        ));
    }
    Ok(text.to_owned())
}

/// Reads every row. Own layout: amounts as people type them (`12.34`, `12,34`), a
/// negative one is money coming in. Mapped: per the mapping.
pub fn parse_rows(table: &Table, layout: &Layout) -> Parsed {
    let mut out = Parsed::default();
    for (line, record) in &table.rows {
        let line = *line;
        let (date_raw, amount) = match layout {
            Layout::Own(own) => {
                let raw = cell(record, own.amount);
                let amount = if raw.is_empty() {
                    None
                } else {
                    let (negative, digits) = match raw.strip_prefix('-') {
                        Some(rest) => (true, rest.trim()),
                        None => (false, raw.strip_prefix('+').unwrap_or(raw).trim()),
                    };
                    Some(money::parse(digits).map(|c| if negative { -c } else { c }))
                };
                (cell(record, own.date), amount)
            }
            Layout::Mapped(m) => {
                let amount = match m.amount {
                    AmountColumns::Single(i, sign) => {
                        let raw = cell(record, i);
                        (!raw.is_empty()).then(|| {
                            money::parse_signed(raw, m.decimal).map(|v| match sign {
                                AmountSign::NegativeIsExpense => -v,
                                AmountSign::PositiveIsExpense => v,
                            })
                        })
                    }
                    AmountColumns::DebitCredit(debit, credit) => {
                        let d = debit.map(|i| cell(record, i)).unwrap_or("");
                        let c = credit.map(|i| cell(record, i)).unwrap_or("");
                        if d.is_empty() && c.is_empty() {
                            None
                        } else if !d.is_empty() {
                            Some(money::parse_signed(d, m.decimal).map(i64::abs).and_then(
                                |debit_value| {
                                    if debit_value == 0 && !c.is_empty() {
                                        money::parse_signed(c, m.decimal).map(|v| -v.abs())
                                    } else {
                                        Ok(debit_value)
                                    }
                                },
                            ))
                        } else {
                            Some(money::parse_signed(c, m.decimal).map(|v| -v.abs()))
                        }
                    }
                };
                (cell(record, m.date), amount)
            }
        };
        // A row with an empty amount or no date is a balance line or a footer.
        let Some(amount) = amount.filter(|_| !date_raw.is_empty()) else {
            out.skipped_lines.push(line);
            continue;
        };
        let spent_on = match layout {
            Layout::Own(_) => parse_date(date_raw, "%Y-%m-%d"),
            Layout::Mapped(m) => parse_date(date_raw, &m.date_format),
        };
        let Some(spent_on) = spent_on else {
            let format = match layout {
                Layout::Own(_) => "%Y-%m-%d",
                Layout::Mapped(m) => &m.date_format,
            };
            out.errors.push((
                line,
                format!("the date “{date_raw}” does not match the format {format}"),
            ));
            continue;
        };
        let cents = match amount {
            Ok(c) => c,
            Err(why) => {
                let raw = match layout {
                    Layout::Own(own) => cell(record, own.amount).to_owned(),
                    Layout::Mapped(_) => why.clone(),
                };
                out.errors.push((
                    line,
                    match layout {
                        Layout::Own(_) => format!("the amount “{raw}” cannot be read: {why}"),
                        Layout::Mapped(_) => format!("the amount cannot be read: {why}"),
                    },
                ));
                continue;
            }
        };
        if cents <= 0 {
            out.income_or_zero += 1;
            continue;
        }
        let (description, category, notes) = match layout {
            Layout::Own(own) => (
                description_of(cell(record, own.description), false),
                Some(cell(record, own.category)),
                own.notes.map(|i| cell(record, i)).unwrap_or(""),
            ),
            Layout::Mapped(m) => (
                description_of(cell(record, m.description), true),
                m.category.map(|i| cell(record, i)),
                "",
            ),
        };
        let description = match description {
            Ok(d) => d,
            Err(why) => {
                out.errors.push((line, why));
                continue;
            }
        };
        let category = match category.map(unguard_cell).filter(|c| !c.is_empty()) {
            None => None,
            Some(name) => match models::parse_category_name(name) {
                Ok(n) => Some(n),
                Err(why) => {
                    out.errors.push((line, format!("category: {why}")));
                    continue;
                }
            },
        };
        let notes = unguard_cell(notes);
        if notes.chars().count() > NOTES_MAX {
            out.errors.push((
                line,
                format!("the notes are longer than {NOTES_MAX} characters"),
            ));
            continue;
        }
        out.rows.push(ImportRow {
            line,
            spent_on,
            amount_cents: cents,
            description,
            notes: notes.to_owned(),
            category,
        });
    }
    out
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub imported: usize,
    pub duplicates: usize,
    pub categories_created: usize,
}

/// Stores the rows in one transaction: unknown categories are created, rows equal to
/// an expense that existed before (date, amount, description) are skipped, the rest
/// is inserted in batches. `default_category`: for rows without one (must be the
/// user's; `None` uses "Other", created when missing).
pub fn store(
    conn: &mut DbConn,
    user_id: i64,
    rows: &[ImportRow],
    default_category: Option<i64>,
) -> QueryResult<Outcome> {
    conn.transaction(|conn| {
        let mut outcome = Outcome::default();
        let existing = queries::categories(conn, user_id)?;
        let mut by_name: HashMap<String, i64> = existing
            .iter()
            .map(|c| (c.name.to_lowercase(), c.id))
            .collect();
        let at = now();
        let create = |conn: &mut DbConn, name: &str, outcome: &mut Outcome| {
            let color = PALETTE[(existing.len() + outcome.categories_created) % PALETTE.len()];
            outcome.categories_created += 1;
            diesel::insert_into(expense_categories::table)
                .values((
                    expense_categories::user_id.eq(user_id),
                    expense_categories::name.eq(name),
                    expense_categories::color.eq(color),
                    expense_categories::archived.eq(false),
                    expense_categories::created_at.eq(at),
                ))
                .returning(expense_categories::id)
                .get_result::<i64>(conn)
        };
        // Existing expenses in the file's date range, counted per (date, amount, text).
        let mut existing_keys: HashMap<(NaiveDate, i64, String), usize> = HashMap::new();
        if let (Some(first), Some(last)) = (
            rows.iter().map(|r| r.spent_on).min(),
            rows.iter().map(|r| r.spent_on).max(),
        ) {
            let keys: Vec<(NaiveDate, i64, String)> = expenses::table
                .filter(expenses::user_id.eq(user_id))
                .filter(expenses::spent_on.ge(first))
                .filter(expenses::spent_on.le(last))
                .select((
                    expenses::spent_on,
                    expenses::amount_cents,
                    expenses::description,
                ))
                .load(conn)?;
            for key in keys {
                *existing_keys.entry(key).or_default() += 1;
            }
        }
        // Rows not already recorded; their unknown categories are created.
        let mut fresh: Vec<&ImportRow> = Vec::with_capacity(rows.len());
        for row in rows {
            let key = (row.spent_on, row.amount_cents, row.description.clone());
            if let Some(n) = existing_keys.get_mut(&key).filter(|n| **n > 0) {
                *n -= 1;
                outcome.duplicates += 1;
            } else {
                fresh.push(row);
            }
        }
        let default_id = match default_category {
            Some(id) => id,
            None => match by_name.get("other") {
                Some(id) => *id,
                None if fresh.iter().any(|r| r.category.is_none()) => {
                    let id = create(conn, "Other", &mut outcome)?;
                    by_name.insert("other".into(), id);
                    id
                }
                None => 0,
            },
        };
        let mut seen = HashSet::new();
        for row in &fresh {
            if let Some(name) = &row.category {
                let key = name.to_lowercase();
                if !by_name.contains_key(&key) && seen.insert(key.clone()) {
                    let id = create(conn, name, &mut outcome)?;
                    by_name.insert(key, id);
                }
            }
        }
        let mut batch: Vec<NewExpense> = Vec::with_capacity(BATCH.min(rows.len()));
        for row in fresh {
            let category_id = match &row.category {
                Some(name) => by_name[&name.to_lowercase()],
                None => default_id,
            };
            batch.push(NewExpense {
                user_id,
                category_id,
                spent_on: row.spent_on,
                spent_month: Month::of(row.spent_on).key(),
                amount_cents: row.amount_cents,
                description: row.description.clone(),
                notes: row.notes.clone(),
                created_at: at,
                updated_at: at,
            });
            if batch.len() == BATCH {
                outcome.imported += insert_batch(conn, &batch)?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            outcome.imported += insert_batch(conn, &batch)?;
        }
        Ok(outcome)
    })
}

/// One multi-row INSERT. The multi-backend cannot express it, so it runs on the
/// inner connection (the same connection, inside the caller's transaction).
fn insert_batch(conn: &mut DbConn, batch: &[NewExpense]) -> QueryResult<usize> {
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(expenses::table)
            .values(batch)
            .execute(c),
        DbConn::Postgres(c) => diesel::insert_into(expenses::table)
            .values(batch)
            .execute(c),
    }
}

// ---- uploads kept for the mapping step ----

/// Keeps an upload for the mapping step; uploads older than a day are purged.
pub fn keep_upload(
    conn: &mut DbConn,
    user_id: i64,
    filename: &str,
    content: &[u8],
) -> QueryResult<String> {
    let token = crate::accounts::sessions::random_token();
    let at = now();
    diesel::delete(
        expense_uploads::table
            .filter(expense_uploads::created_at.lt(at - chrono::TimeDelta::days(1))),
    )
    .execute(conn)?;
    let name: String = filename.chars().take(200).collect();
    diesel::insert_into(expense_uploads::table)
        .values((
            expense_uploads::user_id.eq(user_id),
            expense_uploads::token.eq(&token),
            expense_uploads::filename.eq(name),
            expense_uploads::content.eq(content),
            expense_uploads::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(token)
}

pub fn load_upload(
    conn: &mut DbConn,
    user_id: i64,
    token: &str,
) -> QueryResult<Option<(String, Vec<u8>)>> {
    expense_uploads::table
        .filter(expense_uploads::user_id.eq(user_id))
        .filter(expense_uploads::token.eq(token))
        .select((expense_uploads::filename, expense_uploads::content))
        .first(conn)
        .optional()
}

pub fn forget_upload(conn: &mut DbConn, user_id: i64, token: &str) -> QueryResult<usize> {
    diesel::delete(
        expense_uploads::table
            .filter(expense_uploads::user_id.eq(user_id))
            .filter(expense_uploads::token.eq(token)),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_round_trips() {
        for s in [
            "=SUM(A1)", "+1", "-x", "@x", "'=x", "''=x", "plain", "'plain", "",
        ] {
            assert_eq!(unguard_cell(&guard_cell(s)), s, "{s}");
        }
        assert_eq!(guard_cell("=1+1"), "'=1+1");
        assert_eq!(guard_cell("Lunch"), "Lunch");
    }

    #[test]
    fn detects_preamble_and_delimiter() {
        let text = "Account;DE00 1234\nPeriod;2026\n\nBuchungstag;Verwendungszweck;Betrag;Saldo\n01.11.2026;Bakery;-3,50;100,00\n\n02.11.2026;Salary;2000,00;2100,00\n";
        let d = detect(text);
        assert_eq!(d.delimiter, b';');
        assert_eq!(d.skip_rows, 3);
        let table = read_table(text, d.delimiter, d.skip_rows).unwrap();
        assert_eq!(table.headers[1], "Verwendungszweck");
        assert_eq!(table.rows[0].0, 5);
        assert_eq!(table.rows[1].0, 7);
        let dates: Vec<&str> = table.rows.iter().map(|(_, r)| r.get(0).unwrap()).collect();
        assert_eq!(guess_date_format(&dates), Some("%d.%m.%Y"));
        let amounts: Vec<&str> = table.rows.iter().map(|(_, r)| r.get(2).unwrap()).collect();
        assert_eq!(guess_decimal(&amounts), ',');
        assert_eq!(guess_column(&table.headers, DATE_WORDS), Some(0));
        assert_eq!(guess_column(&table.headers, AMOUNT_WORDS), Some(2));
        assert_eq!(guess_column(&table.headers, DESCRIPTION_WORDS), Some(1));
    }

    #[test]
    fn own_layout_in_any_order() {
        let headers: Vec<String> = ["Description", "amount", "date", "category"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let own = own_layout(&headers).unwrap();
        assert_eq!((own.date, own.amount, own.notes), (2, 1, None));
        assert!(own_layout(&headers[..3]).is_none());
    }

    #[test]
    fn latin1_and_bom() {
        let (text, enc) = decode(b"\xEF\xBB\xBFdate,amount", None).unwrap();
        assert_eq!((text.as_str(), enc), ("date,amount", Encoding::Utf8));
        let (text, enc) = decode(b"Caf\xe9", None).unwrap();
        assert_eq!((text.as_str(), enc), ("Café", Encoding::Latin1));
        assert!(decode(b"Caf\xe9", Some(Encoding::Utf8)).is_err());
    }

    #[test]
    fn mapped_rows() {
        let text = "Date,Payee,Debit,Credit\n2026-11-01,Bakery,3.50,\n2026-11-02,Salary,,2000.00\n,Balance,,\n2026-11-03,Shop,abc,\n";
        let table = read_table(text, b',', 0).unwrap();
        let layout = Layout::Mapped(Mapping {
            date: 0,
            date_format: "%Y-%m-%d".into(),
            amount: AmountColumns::DebitCredit(Some(2), Some(3)),
            decimal: '.',
            description: 1,
            category: None,
        });
        let parsed = parse_rows(&table, &layout);
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].amount_cents, 350);
        assert_eq!(parsed.income_or_zero, 1);
        assert_eq!(parsed.skipped_lines, vec![4]);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].0, 5);
    }
}
