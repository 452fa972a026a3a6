//! Charts as inline SVG, rendered on the server: readable without JavaScript, with a
//! `<title>` for the chart and for every bar; the page's table carries the numbers.
//! Colours come as `fill` attributes (the CSP forbids `style`); text is escaped here.

use std::fmt::Write;

use chrono::NaiveDate;

use super::money::format_money;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// Text for SVG/HTML: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A colour safe for an attribute: `#rrggbb` or a neutral grey.
fn safe_color(color: &str) -> &str {
    let ok = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        color
    } else {
        "#6b7280"
    }
}

/// A "nice" axis maximum at or above `max` (1, 2 or 5 times a power of ten).
pub fn nice_max(max: i64) -> i64 {
    if max <= 0 {
        return 100;
    }
    let mut step: i64 = 1;
    loop {
        for m in [1, 2, 5] {
            if let Some(v) = step.checked_mul(m) {
                if v >= max {
                    return v;
                }
            }
        }
        match step.checked_mul(10) {
            Some(s) => step = s,
            None => return max,
        }
    }
}

fn open_svg(out: &mut String, id: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(desc)
    );
}

fn axis(out: &mut String, top_value: i64, currency: &str) {
    let plot_h = HEIGHT - TOP - BOTTOM;
    for i in 0..=2 {
        let value = top_value * i / 2;
        let y = TOP + plot_h - plot_h * i as f64 / 2.0;
        let _ = write!(
            out,
            r#"<line class="chart-grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="chart-text" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(&format_money(value, currency))
        );
    }
}

/// Bars per day of a month.
pub fn daily(days: &[(NaiveDate, i64)], currency: &str, title: &str) -> String {
    let mut out = String::new();
    let total: i64 = days.iter().map(|(_, c)| c).sum();
    let max = days.iter().map(|(_, c)| *c).max().unwrap_or(0);
    let desc = format!(
        "{} days, {} in total, at most {} on one day. The table of days below has every figure.",
        days.len(),
        format_money(total, currency),
        format_money(max, currency)
    );
    open_svg(&mut out, "daily", title, &desc);
    let top_value = nice_max(max);
    axis(&mut out, top_value, currency);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / days.len().max(1) as f64;
    for (i, (date, cents)) in days.iter().enumerate() {
        let h = plot_h * (*cents as f64) / top_value as f64;
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let y = TOP + plot_h - h;
        let label = format!(
            "{}: {}",
            date.format("%-d %b"),
            format_money(*cents, currency)
        );
        let _ = write!(
            out,
            r#"<rect class="chart-bar" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}"><title>{}</title></rect>"#,
            slot * 0.7,
            escape(&label)
        );
        let day = i + 1;
        if day == 1 || day % 5 == 0 {
            let _ = write!(
                out,
                r#"<text class="chart-text" x="{:.1}" y="{}" text-anchor="middle">{day}</text>"#,
                x + slot * 0.35,
                HEIGHT - 8.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One stacked bar per month; `series` is (name, colour, amount per month).
pub fn stacked_months(
    labels: &[String],
    series: &[(String, String, Vec<i64>)],
    currency: &str,
    title: &str,
) -> String {
    let mut out = String::new();
    let totals: Vec<i64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, _, v)| v.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0);
    let desc = format!(
        "Spending per month, stacked by category; the largest month has {}. The table above has every figure.",
        format_money(max, currency)
    );
    open_svg(&mut out, "yearly", title, &desc);
    let top_value = nice_max(max);
    axis(&mut out, top_value, currency);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / labels.len().max(1) as f64;
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let mut y = TOP + plot_h;
        let _ = write!(
            out,
            r#"<g><title>{}</title>"#,
            escape(&format!("{label}: {}", format_money(totals[i], currency)))
        );
        for (name, color, values) in series {
            let cents = values.get(i).copied().unwrap_or(0);
            if cents <= 0 {
                continue;
            }
            let h = plot_h * cents as f64 / top_value as f64;
            y -= h;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{}</title></rect>"#,
                slot * 0.7,
                safe_color(color),
                escape(&format!(
                    "{label}, {name}: {}",
                    format_money(cents, currency)
                ))
            );
        }
        let _ = write!(
            out,
            r#"</g><text class="chart-text" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x + slot * 0.35,
            HEIGHT - 8.0,
            escape(label)
        );
    }
    out.push_str("</svg>");
    out
}

/// A small colour square for legends and lists (decorative).
pub fn swatch(color: &str) -> String {
    format!(
        r#"<svg class="swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false"><rect width="14" height="14" rx="3" fill="{}"/></svg>"#,
        safe_color(color)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_maxima() {
        assert_eq!(nice_max(0), 100);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(12_345), 20_000);
        assert_eq!(nice_max(50_000), 50_000);
    }

    #[test]
    fn text_is_escaped_and_colours_checked() {
        let svg = stacked_months(
            &["Jan".into()],
            &[("<script>".into(), "red\" onload=\"x".into(), vec![100])],
            "EUR",
            "A & B",
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("A &amp; B"));
        assert!(!svg.contains("onload"));
        assert!(svg.contains("fill=\"#6b7280\""));
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        let svg = daily(&[(day, 1234)], "EUR", "Per day");
        assert!(svg.contains("<title>3 Nov: €12.34</title>"));
    }
}
