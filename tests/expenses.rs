//! Expense tracker, through the real app on SQLite (and Postgres with
//! TEST_DATABASE_URL): forms, filters, reports to the cent, budgets with rollover,
//! CSV round trip, mapping import, dedupe, recurring runs, privacy.

mod common;

use actix_web::http::StatusCode;
use chrono::NaiveDate;
use common::{spawn_app, TestApp, TestClient};
use diesel::prelude::*;
use quillbook::db::schema::{
    expense_budgets, expense_categories, expenses, recurring_occurrences, recurring_rules,
};
use quillbook::expenses::models::{ExpenseInput, Month};
use quillbook::expenses::{queries, recurring, reports};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn user_id(app: &TestApp, username: &str) -> i64 {
    quillbook::accounts::queries::find_by_username(&mut app.conn(), username)
        .unwrap()
        .expect("user exists")
        .id
}

/// A member whose tracker exists (the first visit creates it).
async fn member(app: &TestApp, name: &str) -> (TestClient, i64) {
    let client = app.member(name).await;
    let resp = client.get("/expenses").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    (client, user_id(app, name))
}

fn category(app: &TestApp, user: i64, name: &str) -> i64 {
    expense_categories::table
        .filter(expense_categories::user_id.eq(user))
        .filter(expense_categories::name.eq(name))
        .select(expense_categories::id)
        .first(&mut *app.conn())
        .unwrap_or_else(|_| panic!("category {name}"))
}

fn count_expenses(app: &TestApp, user: i64) -> i64 {
    expenses::table
        .filter(expenses::user_id.eq(user))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn amounts(app: &TestApp, user: i64) -> Vec<(NaiveDate, i64, String)> {
    expenses::table
        .filter(expenses::user_id.eq(user))
        .order_by((expenses::spent_on, expenses::id))
        .select((
            expenses::spent_on,
            expenses::amount_cents,
            expenses::description,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

async fn add(client: &TestClient, date: &str, amount: &str, category: i64, text: &str) {
    let id = category.to_string();
    let resp = client
        .post(
            "/expenses",
            &[
                ("spent_on", date),
                ("amount", amount),
                ("category_id", &id),
                ("description", text),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
}

/// Inserts directly (for volume), through the same query the app uses.
fn insert(app: &TestApp, user: i64, date: &str, cents: i64, category: i64, text: &str) {
    queries::create_expense(
        &mut app.conn(),
        user,
        &ExpenseInput {
            spent_on: d(date),
            amount_cents: cents,
            category_id: category,
            description: text.into(),
            notes: String::new(),
        },
    )
    .unwrap();
}

#[actix_web::test]
async fn anonymous_visitors_are_sent_to_login_everywhere() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let anon = app.client();
    for path in [
        "/expenses",
        "/expenses?month=2026-01",
        "/expenses/new",
        "/expenses/1/edit",
        "/expenses/categories",
        "/expenses/budgets?month=2026-01",
        "/expenses/recurring",
        "/expenses/export.csv",
        "/expenses/import",
        "/reports/monthly?month=2026-01",
        "/reports/yearly?year=2026",
    ] {
        let resp = anon.get(path).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            resp.location().unwrap_or("").starts_with("/login"),
            "{path}: {:?}",
            resp.location()
        );
    }
    for path in [
        "/expenses",
        "/expenses/1/edit",
        "/expenses/1/delete",
        "/expenses/categories",
        "/expenses/categories/1/edit",
        "/expenses/categories/1/archive",
        "/expenses/currency",
        "/expenses/budgets?month=2026-01",
        "/expenses/recurring",
        "/expenses/recurring/1/pause",
        "/expenses/recurring/1/delete",
    ] {
        let resp = anon.post(path, &[]).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            resp.location().unwrap_or("").starts_with("/login"),
            "{path}"
        );
    }
    let resp = anon
        .post_multipart("/expenses/import", &[], &[("file", "a.csv", b"x")])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert!(resp.location().unwrap_or("").starts_with("/login"));
    // The nav shows the tracker only to signed-in users.
    assert!(!anon.get("/").await.body.contains(r#"href="/expenses""#));
}

#[actix_web::test]
async fn a_new_tracker_starts_with_editable_categories() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, id) = member(&app, "alice").await;
    let page = alice.get("/expenses/categories").await;
    for name in ["Groceries", "Housing", "Transport", "Eating out", "Other"] {
        assert!(page.body.contains(name), "{name}");
    }
    // A second visit creates nothing more.
    alice.get("/expenses").await;
    let n: i64 = expense_categories::table
        .filter(expense_categories::user_id.eq(id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 7);
    assert!(alice.get("/").await.body.contains(r#"href="/expenses""#));
}

#[actix_web::test]
async fn amounts_are_parsed_as_people_type_them_and_bad_input_is_refused() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let food = category(&app, me, "Groceries");
    for (typed, cents) in [
        ("12.34", 1234),
        ("12,34", 1234),
        ("12", 1200),
        ("1 234.56", 123_456),
        ("1'234.56", 123_456),
        ("1,234.56", 123_456),
    ] {
        add(&alice, "2026-03-02", typed, food, &format!("typed {typed}")).await;
        let stored: i64 = expenses::table
            .filter(expenses::description.eq(format!("typed {typed}")))
            .select(expenses::amount_cents)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(stored, cents, "{typed}");
    }
    let before = count_expenses(&app, me);
    let food_id = food.to_string();
    for (amount, date, cat, text, field, message) in [
        (
            "1,234",
            "2026-03-02",
            food_id.as_str(),
            "x",
            "amount",
            "ambiguous",
        ),
        (
            "12.345",
            "2026-03-02",
            &food_id,
            "x",
            "amount",
            "two decimals",
        ),
        ("-5", "2026-03-02", &food_id, "x", "amount", "sign"),
        ("5 EUR", "2026-03-02", &food_id, "x", "amount", "letters"),
        (
            "0",
            "2026-03-02",
            &food_id,
            "x",
            "amount",
            "greater than zero",
        ),
        ("5", "2026-02-30", &food_id, "x", "spent_on", "YYYY-MM-DD"),
        (
            "5",
            "2026-03-02",
            "",
            "x",
            "category_id",
            "Choose a category",
        ),
        (
            "5",
            "2026-03-02",
            &food_id,
            " ",
            "description",
            "Enter a description",
        ),
    ] {
        let resp = alice
            .post(
                "/expenses",
                &[
                    ("spent_on", date),
                    ("amount", amount),
                    ("category_id", cat),
                    ("description", text),
                    ("notes", "kept note"),
                ],
            )
            .await;
        assert_eq!(
            resp.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{amount} {date}"
        );
        assert!(resp.body.contains(message), "{amount}: {message}");
        assert!(
            resp.body
                .contains(&format!(r#"aria-describedby="{field}-"#))
                || resp.body.contains(&format!("{field}-error")),
            "{field} error tied to its field"
        );
        assert!(
            resp.body.contains("kept note"),
            "the form keeps what was typed"
        );
    }
    let long = "x".repeat(201);
    let resp = alice
        .post(
            "/expenses",
            &[
                ("spent_on", "2026-03-02"),
                ("amount", "1"),
                ("category_id", &food_id),
                ("description", &long),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("at most 200"));
    assert_eq!(count_expenses(&app, me), before, "nothing stored");
}

#[actix_web::test]
async fn the_list_filters_totals_and_pages() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let food = category(&app, me, "Groceries");
    let home = category(&app, me, "Housing");
    for i in 0..51 {
        insert(&app, me, "2025-05-10", 100, food, &format!("Bread {i}"));
    }
    insert(&app, me, "2025-05-31", 85_000, home, "Rent May");
    insert(&app, me, "2025-06-01", 85_000, home, "Rent June");
    insert(&app, me, "2025-04-30", 999, food, "Cheese 100% organic");

    let may = alice.get("/expenses?month=2025-05").await;
    assert_eq!(may.status, StatusCode::OK);
    assert!(
        may.body.contains("52 expenses, total €901.00"),
        "{}",
        may.body
    );
    assert!(may.body.contains("Rent May"));
    assert!(!may.body.contains("Rent June"));
    assert!(may.body.contains("page=2"));
    let page2 = alice
        .get("/expenses?month=2025-05&category=&q=&page=2")
        .await;
    assert_eq!(page2.status, StatusCode::OK);
    assert!(alice
        .get("/expenses?month=2025-05&page=3")
        .await
        .status
        .eq(&StatusCode::NOT_FOUND));

    let rent = alice
        .get(&format!("/expenses?month=2025-05&category={home}"))
        .await;
    assert!(
        rent.body.contains("1 expense, total €850.00"),
        "{}",
        rent.body
    );
    let search = alice.get("/expenses?month=all&q=RENT").await;
    assert!(search.body.contains("2 expenses, total €1,700.00"));
    // % is a literal character in a search, not a wildcard.
    let pct = alice.get("/expenses?month=all&q=100%25").await;
    assert!(pct.body.contains("1 expense, total €9.99"), "{}", pct.body);
    // A bad month shows this month rather than an error.
    assert_eq!(
        alice.get("/expenses?month=banana").await.status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn editing_and_deleting_an_expense() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let food = category(&app, me, "Groceries");
    let home = category(&app, me, "Housing");
    add(&alice, "2026-01-05", "10", food, "Lunch").await;
    let id: i64 = expenses::table
        .select(expenses::id)
        .first(&mut *app.conn())
        .unwrap();
    let form = alice.get(&format!("/expenses/{id}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"value="10.00""#));
    let home_id = home.to_string();
    let resp = alice
        .post(
            &format!("/expenses/{id}/edit"),
            &[
                ("spent_on", "2026-02-01"),
                ("amount", "11,50"),
                ("category_id", &home_id),
                ("description", "Dinner"),
                ("notes", "with Bob"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), Some("/expenses?month=2026-02"));
    let (month, cents): (i32, i64) = expenses::table
        .find(id)
        .select((expenses::spent_month, expenses::amount_cents))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((month, cents), (202602, 1150));
    let list = alice.get_follow("/expenses?month=2026-02").await;
    assert!(list.body.contains("Dinner") && list.body.contains("with Bob"));
    let resp = alice.post(&format!("/expenses/{id}/delete"), &[]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(count_expenses(&app, me), 0);
    assert_eq!(
        alice.get(&format!("/expenses/{id}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn categories_are_unique_per_user_and_archived_when_used() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let resp = alice
        .post(
            "/expenses/categories",
            &[
                ("name", "groceries"),
                ("monthly_budget", ""),
                ("color", "#123456"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("already have a category"));
    let resp = alice
        .post(
            "/expenses/categories",
            &[
                ("name", "Pets"),
                ("monthly_budget", "1,5"),
                ("color", "blue"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("#rrggbb"));
    let resp = alice
        .post(
            "/expenses/categories",
            &[
                ("name", "Pets"),
                ("monthly_budget", "40"),
                ("color", "#AA5500"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    let pets = category(&app, me, "Pets");
    let resp = alice
        .post(
            &format!("/expenses/categories/{pets}/edit"),
            &[
                ("name", "Pets and vet"),
                ("monthly_budget", "45.50"),
                ("color", "#aa5500"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    let budget: Option<i64> = expense_categories::table
        .find(pets)
        .select(expense_categories::monthly_budget_cents)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(budget, Some(4550));
    let page = alice.get("/expenses/categories").await;
    assert!(page.body.contains("Pets and vet"));

    // Used: archived, not offered for new expenses, still in reports.
    add(&alice, "2026-01-10", "12", pets, "Food for the cat").await;
    let resp = alice
        .post(&format!("/expenses/categories/{pets}/archive"), &[])
        .await;
    let page = alice.get(resp.location().unwrap()).await;
    assert!(page.body.contains("is archived"));
    let archived: bool = expense_categories::table
        .find(pets)
        .select(expense_categories::archived)
        .first(&mut *app.conn())
        .unwrap();
    assert!(archived);
    assert!(!alice
        .get("/expenses/new")
        .await
        .body
        .contains("Pets and vet"));
    assert!(alice
        .get("/reports/monthly?month=2026-01")
        .await
        .body
        .contains("Pets and vet"));
    let pets_id = pets.to_string();
    let resp = alice
        .post(
            "/expenses",
            &[
                ("spent_on", "2026-01-11"),
                ("amount", "3"),
                ("category_id", &pets_id),
                ("description", "Toy"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Restored, then unused ones are deleted.
    alice
        .post(&format!("/expenses/categories/{pets}/archive"), &[])
        .await;
    let other = category(&app, me, "Leisure");
    alice
        .post(&format!("/expenses/categories/{other}/archive"), &[])
        .await;
    let left: i64 = expense_categories::table
        .filter(expense_categories::id.eq(other))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(left, 0, "an unused category is deleted");

    // Own currency.
    let resp = alice
        .post("/expenses/currency", &[("currency", "EURO")])
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    alice
        .post("/expenses/currency", &[("currency", "usd")])
        .await;
    assert!(alice
        .get("/expenses?month=2026-01")
        .await
        .body
        .contains("total $12.00"));
}

/// Data with hand-computed totals, including 0.10 + 0.20 and month and year edges.
async fn report_fixture(app: &TestApp) -> (TestClient, i64) {
    let (alice, me) = member(app, "alice").await;
    let food = category(app, me, "Groceries");
    let home = category(app, me, "Housing");
    let car = category(app, me, "Transport");
    add(&alice, "2024-01-01", "0.10", food, "Apple").await;
    add(&alice, "2024-01-31", "0,20", food, "Pear").await;
    add(&alice, "2024-02-01", "5", food, "Bread").await;
    add(&alice, "2023-12-31", "1.00", food, "Gum").await;
    add(&alice, "2024-01-15", "850", home, "Rent January").await;
    add(&alice, "2024-12-31", "850.00", home, "Rent December").await;
    add(&alice, "2024-01-20", "1,234.56", car, "Car repair").await;
    add(&alice, "2025-01-01", "7", car, "Bus").await;
    // Groceries budget 0.25: 0.30 spent in January is over budget by 0.05.
    alice
        .post(
            &format!("/expenses/categories/{food}/edit"),
            &[
                ("name", "Groceries"),
                ("monthly_budget", "0.25"),
                ("color", "#2e7d32"),
            ],
        )
        .await;
    (alice, me)
}

#[actix_web::test]
async fn monthly_report_totals_are_right_to_the_cent() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = report_fixture(&app).await;

    let report = reports::monthly(&mut app.conn(), me, Month::new(2024, 1).unwrap()).unwrap();
    assert_eq!(report.total, 30 + 85_000 + 123_456);
    assert_eq!(report.previous_total, 100);
    let food = report.lines.iter().find(|l| l.name == "Groceries").unwrap();
    assert_eq!(food.spent, 30, "0.10 + 0.20 = 0.30");
    assert_eq!(food.remaining(), Some(-5));
    assert!(food.over_budget());

    let page = alice.get("/reports/monthly?month=2024-01").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("€2,084.86"), "month total");
    assert!(body.contains("€0.30"), "0.10 + 0.20");
    assert!(body.contains("-€0.05"), "remaining");
    assert!(body.contains("over budget"));
    assert!(body.contains(r#"class="over-budget""#));
    assert!(body.contains("59.2%"), "Transport's share");
    assert!(body.contains("40.8%"), "Housing's share");
    assert!(
        body.contains("€1.00"),
        "December 2023 as the previous month"
    );
    // The chart is inline SVG with a title, and a bar per day.
    assert!(body.contains("<svg"));
    assert!(body.contains("Spending per day, January 2024</title>"));
    assert!(body.contains("<title>15 Jan: €850.00</title>"));
    assert!(body.contains("<title>31 Jan: €0.20</title>"));
    // The largest expenses, largest first.
    let repair = body.find("Car repair").unwrap();
    let rent = body.find("Rent January").unwrap();
    assert!(repair < rent);
    // Nothing from other months.
    assert!(!body.contains("Bread") && !body.contains("Rent December"));

    let feb = alice.get("/reports/monthly?month=2024-02").await;
    assert!(feb.body.contains("€5.00"));
    assert!(feb.body.contains("-99.8%"), "change against January");
}

#[actix_web::test]
async fn yearly_report_has_row_and_column_totals_and_the_change() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = report_fixture(&app).await;
    let today = d("2026-06-15");
    let report = reports::yearly(&mut app.conn(), me, 2024, today).unwrap();
    assert_eq!(report.total, 293_986);
    assert_eq!(report.previous_total, 100);
    assert_eq!(report.month_totals[0], 208_486);
    assert_eq!(report.month_totals[1], 500);
    assert_eq!(report.month_totals[11], 85_000);
    assert_eq!(report.average(report.total), 24_499);
    let totals: Vec<(String, i64)> = report
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.total))
        .collect();
    assert_eq!(
        totals,
        vec![
            ("Housing".into(), 170_000),
            ("Transport".into(), 123_456),
            ("Groceries".into(), 530)
        ]
    );

    let page = alice.get("/reports/yearly?year=2024").await;
    assert_eq!(page.status, StatusCode::OK);
    for figure in [
        "€2,939.86",
        "€2,084.86",
        "€1,700.00",
        "€1,234.56",
        "€5.30",
        "€244.99",
        "€1.00",
    ] {
        assert!(page.body.contains(figure), "{figure}");
    }
    assert!(page
        .body
        .contains("Spending per month in 2024, by category</title>"));
    assert!(
        page.body.contains(r##"fill="#1565c0""##),
        "Housing's colour"
    );
    assert!(page.body.contains("<th scope=\"row\">Monthly average</th>"));
    let next = alice.get("/reports/yearly?year=2025").await;
    assert!(next.body.contains("€7.00"));
    assert!(next.body.contains("-99.8%"));
}

#[actix_web::test]
async fn budgets_roll_over_into_the_next_months() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let food = category(&app, me, "Groceries");
    alice
        .post(
            &format!("/expenses/categories/{food}/edit"),
            &[
                ("name", "Groceries"),
                ("monthly_budget", "100"),
                ("color", "#2e7d32"),
            ],
        )
        .await;
    add(&alice, "2024-01-10", "60", food, "Week 1").await;
    add(&alice, "2024-02-10", "130", food, "Feast").await;
    let budget = format!("budget_{food}");
    let rollover = format!("rollover_{food}");

    // Bad input: 422, nothing saved.
    let resp = alice
        .post(
            "/expenses/budgets?month=2024-01",
            &[(&budget, "lots"), (&rollover, "1")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("letters"));
    let since: Option<i32> = expense_categories::table
        .find(food)
        .select(expense_categories::rollover_since)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(since, None);

    let resp = alice
        .post(
            "/expenses/budgets?month=2024-01",
            &[(&budget, "100.00"), (&rollover, "1")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    // February: 40.00 left from January.
    let feb = alice.get("/expenses/budgets?month=2024-02").await;
    assert!(
        feb.body.contains("€40.00") && feb.body.contains("€140.00"),
        "{}",
        feb.body
    );
    assert!(feb.body.contains("€10.00"), "140 - 130 remaining");
    // March: 40 - 30 = 10 carried.
    let mar = alice.get("/expenses/budgets?month=2024-03").await;
    assert!(mar.body.contains("€110.00"));
    // A March-only budget of 50: 60 available; April gets 10 + 50 = 60 carried.
    alice
        .post(
            "/expenses/budgets?month=2024-03",
            &[(&budget, "50"), (&rollover, "1")],
        )
        .await;
    let mar = alice.get("/expenses/budgets?month=2024-03").await;
    assert!(mar.body.contains(r#"value="50.00""#) && mar.body.contains("€60.00"));
    let apr = alice.get("/expenses/budgets?month=2024-04").await;
    assert!(apr.body.contains(r#"value="100.00""#) && apr.body.contains("€160.00"));
    // The monthly report counts the carry too.
    let report = alice.get("/reports/monthly?month=2024-02").await;
    assert!(report.body.contains("incl. €40.00 carried"));
    assert!(!report.body.contains("over budget</strong>"));
    // Without rollover February would be over budget.
    alice
        .post("/expenses/budgets?month=2024-01", &[(&budget, "100")])
        .await;
    let report = alice.get("/reports/monthly?month=2024-02").await;
    assert!(report.body.contains("over budget</strong>"));
    let overrides: i64 = expense_budgets::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(overrides, 1, "only March differs from the default");
}

fn csv_of(resp: &common::Resp) -> Vec<u8> {
    assert_eq!(resp.status, StatusCode::OK);
    assert!(resp
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/csv"));
    resp.body.clone().into_bytes()
}

#[actix_web::test]
async fn csv_round_trip_gives_the_same_reports_and_reimporting_skips_everything() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, a) = report_fixture(&app).await;
    let food = category(&app, a, "Groceries");
    let id = food.to_string();
    alice
        .post(
            "/expenses",
            &[
                ("spent_on", "2024-01-31"),
                ("amount", "0.20"),
                ("category_id", &id),
                ("description", "Pear"),
                ("notes", "second pear, \"same\" day\nnew line"),
            ],
        )
        .await;
    add(&alice, "2024-03-03", "2", food, "=HYPERLINK(\"x\")").await;

    let export = alice.get("/expenses/export.csv").await;
    let bytes = csv_of(&export);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("date,amount,category,description,notes\n"));
    assert!(text.contains("2024-01-20,1234.56,Transport,Car repair,\n"));
    assert!(text.contains("'=HYPERLINK"), "formulas are defused");
    let jan = alice
        .get("/expenses/export.csv?month=2024-01&category=&q=")
        .await;
    let jan_text = String::from_utf8(csv_of(&jan)).unwrap();
    assert!(jan_text.contains("Car repair") && !jan_text.contains("Bread"));

    let (bob, b) = member(&app, "bob").await;
    let resp = bob
        .post_multipart("/expenses/import", &[], &[("file", "export.csv", &bytes)])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let result = bob.get_follow(resp.location().unwrap()).await;
    assert!(
        result.body.contains("Imported 10 expenses, skipped 0"),
        "{}",
        result.body
    );
    assert_eq!(count_expenses(&app, b), 10);

    // Same reports, same export.
    for month in ["2023-12", "2024-01", "2024-02", "2024-03", "2024-12"] {
        let m = Month::parse(month).unwrap();
        let ra = reports::monthly(&mut app.conn(), a, m).unwrap();
        let rb = reports::monthly(&mut app.conn(), b, m).unwrap();
        assert_eq!(ra.total, rb.total, "{month}");
        let lines = |r: &reports::MonthlyReport| {
            let mut v: Vec<(String, i64)> = r
                .lines
                .iter()
                .filter(|l| l.spent > 0)
                .map(|l| (l.name.clone(), l.spent))
                .collect();
            v.sort();
            v
        };
        assert_eq!(lines(&ra), lines(&rb), "{month}");
    }
    let ya = reports::yearly(&mut app.conn(), a, 2024, d("2026-01-01")).unwrap();
    let yb = reports::yearly(&mut app.conn(), b, 2024, d("2026-01-01")).unwrap();
    assert_eq!((ya.total, ya.month_totals), (yb.total, yb.month_totals));
    let again = bob.get("/expenses/export.csv").await;
    assert_eq!(csv_of(&again), bytes, "bob's export equals alice's");

    // Importing the same file again skips every row as already recorded.
    let resp = bob
        .post_multipart("/expenses/import", &[], &[("file", "export.csv", &bytes)])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    let result = bob.get_follow(resp.location().unwrap()).await;
    assert!(result
        .body
        .contains("Imported 0 expenses, skipped 10: 10 already recorded"));
    assert_eq!(count_expenses(&app, b), 10);
}

#[actix_web::test]
async fn a_bad_file_imports_nothing_and_names_its_lines() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let file = b"category,date,description,amount\nNew place,2024-05-01,Fine,1.00\nNew place,2024-05-02,Too precise,12.3456\nNew place,05/03/2024,Bad date,3.00\nGroceries,2024-05-04,,4.00\n";
    let resp = alice
        .post_multipart("/expenses/import", &[], &[("file", "bad.csv", file)])
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("Nothing was imported"));
    for line in ["<td>3</td>", "<td>4</td>", "<td>5</td>"] {
        assert!(resp.body.contains(line), "{line}: {}", resp.body);
    }
    assert!(resp.body.contains("two decimals"));
    assert!(resp.body.contains("no description"));
    assert!(!resp.body.contains("<td>2</td>"));
    assert_eq!(count_expenses(&app, me), 0);
    let created: i64 = expense_categories::table
        .filter(expense_categories::name.eq("New place"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(created, 0, "no category created either");
    // No file at all.
    let resp = alice.post_multipart("/expenses/import", &[], &[]).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("Choose a CSV file"));
}

/// A bank export: preamble, semicolons, Latin-1, decimal comma, money in and out,
/// a balance line without a date.
const BANK: &[u8] = b"Kontoauszug;Girokonto\nZeitraum;01.03.2024 - 31.03.2024\n\nBuchungstag;Empf\xe4nger;Verwendungszweck;Betrag;W\xe4hrung\n01.03.2024;B\xe4ckerei M\xfcller;Br\xf6tchen;-3,50;EUR\n02.03.2024;Arbeitgeber;Gehalt;2.500,00;EUR\n05.03.2024;Caf\xe9 Central;Kaffee;-1.234,56;EUR\n;;Kontostand;1.262,94;EUR\n06.03.2024;Null;Storno;0,00;EUR\n";

#[actix_web::test]
async fn a_bank_file_gets_a_mapping_step_and_then_imports() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let resp = alice
        .post_multipart("/expenses/import", &[], &[("file", "bank.csv", BANK)])
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    let body = &resp.body;
    assert!(body.contains("Which column is which?"));
    assert!(
        body.contains(r#"name="skip_rows" type="number" min="0" value="3""#),
        "{body}"
    );
    assert!(body.contains(r#"<option value=";" selected>"#));
    assert!(body.contains(r#"<option value="latin1" selected>"#));
    assert!(body.contains(r#"value="%d.%m.%Y""#));
    assert!(
        body.contains(r#"<option value="," selected>"#),
        "decimal comma"
    );
    assert!(body.contains(r#"<option value="Buchungstag" selected>"#));
    assert!(body.contains(r#"<option value="Betrag" selected>"#));
    assert!(body.contains(r#"<option value="Verwendungszweck" selected>"#));
    assert!(
        body.contains("Bäckerei Müller"),
        "preview decoded from Latin-1"
    );
    assert_eq!(
        count_expenses(&app, me),
        0,
        "nothing imported before confirming"
    );
    let marker = r#"name="upload" value=""#;
    let start = body.find(marker).unwrap() + marker.len();
    let token = &body[start..start + body[start..].find('"').unwrap()];

    let home = category(&app, me, "Housing").to_string();
    let fields = [
        ("upload", token),
        ("skip_rows", "3"),
        ("delimiter", ";"),
        ("encoding", "latin1"),
        ("date_column", "Buchungstag"),
        ("date_format", "%d.%m.%Y"),
        ("amount_column", "Betrag"),
        ("debit_column", ""),
        ("credit_column", ""),
        ("amount_sign", "negative_is_expense"),
        ("decimal", ","),
        ("description_column", "Empfänger"),
        ("category_column", ""),
        ("category_id", home.as_str()),
        ("confirm", "1"),
    ];
    let resp = alice.post_multipart("/expenses/import", &fields, &[]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let result = alice.get_follow(resp.location().unwrap()).await;
    assert!(
        result.body.contains(
            "Imported 2 expenses, skipped 3: 0 already recorded, 2 money coming in or zero, 1 without a date or amount (line 8)"
        ),
        "{}",
        result.body
    );
    assert_eq!(
        amounts(&app, me),
        vec![
            (d("2024-03-01"), 350, "Bäckerei Müller".into()),
            (d("2024-03-05"), 123_456, "Café Central".into()),
        ]
    );
    let in_housing: i64 = expenses::table
        .filter(expenses::category_id.eq(category(&app, me, "Housing")))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(in_housing, 2);
    // The kept upload is gone after the import.
    let resp = alice.post_multipart("/expenses/import", &fields, &[]).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains("no longer here"));
}

#[actix_web::test]
async fn a_script_imports_debit_and_credit_columns_in_one_request() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    add(
        &alice,
        "2024-03-02",
        "9.99",
        category(&app, me, "Leisure"),
        "Cinema",
    )
    .await;
    let file = b"Date\tPayee\tCategory\tPaid out\tPaid in\n03/01/2024\tBakery\tFood\t3.50\t\n03/02/2024\tCinema\tFun\t9.99\t\n03/02/2024\tRefund\t\t\t20.00\n03/04/2024\tBakery\t\t1,003.50\t\n";
    let fields = [
        ("delimiter", "tab"),
        ("date_column", "Date"),
        ("date_format", "%m/%d/%Y"),
        ("debit_column", "Paid out"),
        ("credit_column", "Paid in"),
        ("decimal", "."),
        ("description_column", "Payee"),
        ("category_column", "Category"),
        ("confirm", "1"),
    ];
    let resp = alice
        .post_multipart("/expenses/import", &fields, &[("file", "card.tsv", file)])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let result = alice.get_follow(resp.location().unwrap()).await;
    assert!(
        result
            .body
            .contains("Imported 2 expenses, skipped 2: 1 already recorded, 1 money coming in"),
        "{}",
        result.body
    );
    assert!(result.body.contains("1 new category was created"));
    let food = category(&app, me, "Food");
    let other = category(&app, me, "Other");
    let rows: Vec<(i64, i64)> = expenses::table
        .filter(expenses::user_id.eq(me))
        .filter(expenses::description.eq("Bakery"))
        .order_by(expenses::spent_on)
        .select((expenses::amount_cents, expenses::category_id))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(rows, vec![(350, food), (100_350, other)]);
}

#[actix_web::test]
async fn recurring_runs_create_each_occurrence_once_and_catch_up() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, me) = member(&app, "alice").await;
    let home = category(&app, me, "Housing").to_string();
    // In the past: due dates are created at once (31st clamps to short months).
    let resp = alice
        .post(
            "/expenses/recurring",
            &[
                ("category_id", &home),
                ("amount", "850"),
                ("description", "Rent"),
                ("every", "1"),
                ("unit", "months"),
                ("day", "31"),
                ("starts_on", "2024-01-15"),
                ("ends_on", "2024-04-30"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let page = alice.get_follow("/expenses/recurring").await;
    assert!(
        page.body.contains("4 expenses were due and are added"),
        "{}",
        page.body
    );
    assert_eq!(
        amounts(&app, me)
            .iter()
            .map(|(d, ..)| *d)
            .collect::<Vec<_>>(),
        vec![
            d("2024-01-31"),
            d("2024-02-29"),
            d("2024-03-31"),
            d("2024-04-30")
        ]
    );
    // In the future: nothing yet; the task creates them as their days come.
    alice
        .post(
            "/expenses/recurring",
            &[
                ("category_id", &home),
                ("amount", "9.99"),
                ("description", "Streaming"),
                ("every", "2"),
                ("unit", "weeks"),
                ("day", "1"),
                ("starts_on", "2030-01-01"),
                ("ends_on", ""),
            ],
        )
        .await;
    assert_eq!(count_expenses(&app, me), 4);
    let streaming = |app: &TestApp| -> Vec<NaiveDate> {
        expenses::table
            .filter(expenses::description.eq("Streaming"))
            .order_by(expenses::spent_on)
            .select(expenses::spent_on)
            .load(&mut *app.conn())
            .unwrap()
    };
    // 2030-01-01 is a Tuesday: Mondays 7 Jan, 21 Jan, 4 Feb are due by 10 Feb.
    assert_eq!(
        recurring::run_due(&mut app.conn(), d("2030-02-10")).unwrap(),
        3
    );
    assert_eq!(
        recurring::run_due(&mut app.conn(), d("2030-02-10")).unwrap(),
        0
    );
    assert_eq!(
        streaming(&app),
        vec![d("2030-01-07"), d("2030-01-21"), d("2030-02-04")]
    );
    // After "downtime" the missed ones are caught up, once.
    assert_eq!(
        recurring::run_due(&mut app.conn(), d("2030-03-20")).unwrap(),
        3
    );
    assert_eq!(
        recurring::run_due(&mut app.conn(), d("2030-03-20")).unwrap(),
        0
    );
    assert_eq!(streaming(&app).len(), 6);
    // A second instance that lost its place (stale next date) creates no duplicate.
    diesel::update(recurring_rules::table.filter(recurring_rules::description.eq("Streaming")))
        .set(recurring_rules::next_on.eq(Some(d("2030-01-07"))))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(
        recurring::run_due(&mut app.conn(), d("2030-03-20")).unwrap(),
        0
    );
    assert_eq!(streaming(&app).len(), 6);
    let occurrences: i64 = recurring_occurrences::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(occurrences, 10);
    // A deleted occurrence is not created again.
    let first: i64 = expenses::table
        .filter(expenses::description.eq("Streaming"))
        .order_by(expenses::spent_on)
        .select(expenses::id)
        .first(&mut *app.conn())
        .unwrap();
    alice.post(&format!("/expenses/{first}/delete"), &[]).await;
    assert_eq!(
        recurring::run_due(&mut app.conn(), d("2030-03-20")).unwrap(),
        0
    );
    // Paused rules create nothing; the list says so.
    let rule: i64 = recurring_rules::table
        .filter(recurring_rules::description.eq("Streaming"))
        .select(recurring_rules::id)
        .first(&mut *app.conn())
        .unwrap();
    alice
        .post(&format!("/expenses/recurring/{rule}/pause"), &[])
        .await;
    assert_eq!(
        recurring::run_due(&mut app.conn(), d("2030-06-01")).unwrap(),
        0
    );
    assert!(alice
        .get("/expenses/recurring")
        .await
        .body
        .contains("paused"));
    // Bad rules are refused with a message per field.
    let resp = alice
        .post(
            "/expenses/recurring",
            &[
                ("category_id", &home),
                ("amount", "0"),
                ("description", "x"),
                ("every", "0"),
                ("unit", "weeks"),
                ("day", "9"),
                ("starts_on", "2030-01-01"),
                ("ends_on", "2029-01-01"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in ["greater than zero", "1 to 60", "weekday", "not be before"] {
        assert!(resp.body.contains(message), "{message}");
    }
    alice
        .post(&format!("/expenses/recurring/{rule}/delete"), &[])
        .await;
    let rules: i64 = recurring_rules::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(rules, 1);
}

/// Everything of one user, to compare before and after another user's attempts.
#[allow(clippy::type_complexity)]
fn snapshot(app: &TestApp, user: i64) -> String {
    let mut conn = app.conn();
    let e: Vec<(i64, i64, NaiveDate, i64, String)> = expenses::table
        .filter(expenses::user_id.eq(user))
        .order_by(expenses::id)
        .select((
            expenses::id,
            expenses::category_id,
            expenses::spent_on,
            expenses::amount_cents,
            expenses::description,
        ))
        .load(&mut *conn)
        .unwrap();
    let c: Vec<(i64, String, Option<i64>, Option<i32>, bool)> = expense_categories::table
        .filter(expense_categories::user_id.eq(user))
        .order_by(expense_categories::id)
        .select((
            expense_categories::id,
            expense_categories::name,
            expense_categories::monthly_budget_cents,
            expense_categories::rollover_since,
            expense_categories::archived,
        ))
        .load(&mut *conn)
        .unwrap();
    let r: Vec<(i64, bool, Option<NaiveDate>)> = recurring_rules::table
        .filter(recurring_rules::user_id.eq(user))
        .select((
            recurring_rules::id,
            recurring_rules::paused,
            recurring_rules::next_on,
        ))
        .load(&mut *conn)
        .unwrap();
    let b: Vec<(i64, i32, Option<i64>)> = expense_budgets::table
        .filter(expense_budgets::user_id.eq(user))
        .select((
            expense_budgets::category_id,
            expense_budgets::month,
            expense_budgets::budget_cents,
        ))
        .load(&mut *conn)
        .unwrap();
    format!("{e:?}\n{c:?}\n{r:?}\n{b:?}")
}

#[actix_web::test]
async fn nobody_else_sees_or_changes_a_tracker() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (alice, a) = member(&app, "alice").await;
    let food = category(&app, a, "Groceries");
    add(&alice, "2024-05-05", "42.42", food, "Secret truffles").await;
    let expense: i64 = expenses::table
        .filter(expenses::user_id.eq(a))
        .select(expenses::id)
        .first(&mut *app.conn())
        .unwrap();
    alice
        .post(
            "/expenses/budgets?month=2024-05",
            &[
                (&format!("budget_{food}"), "10"),
                (&format!("rollover_{food}"), "1"),
            ],
        )
        .await;
    let food_id = food.to_string();
    alice
        .post(
            "/expenses/recurring",
            &[
                ("category_id", &food_id),
                ("amount", "5"),
                ("description", "Veg box"),
                ("every", "1"),
                ("unit", "weeks"),
                ("day", "3"),
                ("starts_on", "2031-01-01"),
            ],
        )
        .await;
    let rule: i64 = recurring_rules::table
        .select(recurring_rules::id)
        .first(&mut *app.conn())
        .unwrap();
    let before = snapshot(&app, a);

    let (bob, _) = member(&app, "bob").await;
    for intruder in [&bob, &admin] {
        for path in [
            format!("/expenses/{expense}/edit"),
            format!("/expenses?month=2024-05&category={food}"),
            format!("/expenses/export.csv?month=all&category={food}"),
        ] {
            let resp = intruder.get(&path).await;
            assert_eq!(resp.status, StatusCode::NOT_FOUND, "{path}");
            assert!(!resp.body.contains("truffles"));
        }
        let expense_form = [
            ("spent_on", "2024-05-06"),
            ("amount", "1"),
            ("category_id", food_id.as_str()),
            ("description", "Mine now"),
        ];
        for path in [
            format!("/expenses/{expense}/edit"),
            format!("/expenses/{expense}/delete"),
        ] {
            let resp = intruder.post(&path, &expense_form).await;
            assert_eq!(resp.status, StatusCode::NOT_FOUND, "{path}");
        }
        // Their own new expense in alice's category: refused.
        let resp = intruder.post("/expenses", &expense_form).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        let category_form = [
            ("name", "Stolen"),
            ("monthly_budget", ""),
            ("color", "#000000"),
        ];
        for path in [
            format!("/expenses/categories/{food}/edit"),
            format!("/expenses/categories/{food}/archive"),
        ] {
            let resp = intruder.post(&path, &category_form).await;
            assert_eq!(resp.status, StatusCode::NOT_FOUND, "{path}");
        }
        let resp = intruder
            .post(
                "/expenses/budgets?month=2024-05",
                &[
                    (&format!("budget_{food}"), "999"),
                    (&format!("rollover_{food}"), ""),
                ],
            )
            .await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND);
        for action in ["pause", "resume", "delete"] {
            let resp = intruder
                .post(&format!("/expenses/recurring/{rule}/{action}"), &[])
                .await;
            assert_eq!(resp.status, StatusCode::NOT_FOUND, "{action}");
        }
        let rule_form = [
            ("category_id", food_id.as_str()),
            ("amount", "5"),
            ("description", "x"),
            ("every", "1"),
            ("unit", "months"),
            ("day", "1"),
            ("starts_on", "2024-01-01"),
        ];
        let resp = intruder.post("/expenses/recurring", &rule_form).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Reports, lists, exports and pages show only their own data.
        for path in [
            "/reports/monthly?month=2024-05",
            "/reports/yearly?year=2024",
            "/expenses?month=2024-05",
            "/expenses?month=all&q=truffles",
            "/expenses/export.csv",
            "/expenses/budgets?month=2024-05",
            "/expenses/recurring",
            "/expenses/categories",
        ] {
            let resp = intruder.get(path).await;
            assert_eq!(resp.status, StatusCode::OK, "{path}");
            assert!(!resp.body.contains("Secret truffles"), "{path}");
            assert!(!resp.body.contains("42.42"), "{path}");
            assert!(!resp.body.contains("Veg box"), "{path}");
        }
        // An import with alice's category as the default is refused.
        let resp = intruder
            .post_multipart(
                "/expenses/import",
                &[
                    ("date_column", "d"),
                    ("date_format", "%Y-%m-%d"),
                    ("amount_column", "a"),
                    ("decimal", "."),
                    ("description_column", "t"),
                    ("category_id", &food_id),
                    ("confirm", "1"),
                ],
                &[("file", "x.csv", b"d,a,t\n2024-01-01,-1,x\n")],
            )
            .await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(snapshot(&app, a), before, "nothing of alice's changed");
    let page = alice.get("/expenses?month=2024-05").await;
    assert!(page.body.contains("Secret truffles"));
}

#[actix_web::test]
async fn pages_pass_basic_accessibility_checks() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let (alice, _) = report_fixture(&app).await;
    for path in [
        "/expenses?month=2024-01",
        "/expenses/new",
        "/expenses/categories",
        "/expenses/budgets?month=2024-01",
        "/expenses/recurring",
        "/expenses/import",
        "/reports/monthly?month=2024-01",
        "/reports/yearly?year=2024",
    ] {
        let body = alice.get(path).await.body;
        assert_eq!(body.matches("<h1").count(), 1, "{path}: one h1");
        assert!(!body.contains("style="), "{path}: no style attribute");
        assert!(!body.contains("<script"), "{path}: no script");
        // Every input but hidden ones and buttons has a label.
        for (i, _) in body.match_indices("<input ") {
            let tag = &body[i..i + body[i..].find('>').unwrap()];
            if tag.contains(r#"type="hidden""#) {
                continue;
            }
            let id = tag
                .split(r#"id=""#)
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("{path}: input without id: {tag}"));
            assert!(
                body.contains(&format!(r#"for="{id}""#)),
                "{path}: no label for {id}"
            );
        }
        for (i, _) in body.match_indices("<table") {
            let rest = &body[i..];
            let table = &rest[..rest.find("</table>").unwrap()];
            assert!(
                table.contains("scope="),
                "{path}: table headers have a scope"
            );
        }
    }
}
