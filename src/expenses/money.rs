//! Money as `i64` minor units (cents), end to end. `parse` reads what people type
//! (`12.34`, `12,34`, `12`, `1 234.56`, `1'234.56`, `1,234.56`, `1.234,56`) and
//! refuses, with a reason, anything with more than two decimals, a sign, letters or
//! an ambiguous separator (`1,234`: thousands or decimals?). `format_*` write it back.

/// The largest amount accepted: 999,999,999,999.99 (far below `i64::MAX` cents, so
/// sums of many amounts cannot overflow either).
pub const MAX_CENTS: i64 = 99_999_999_999_999;

/// Thousands separators that can never be a decimal mark.
fn is_group_only(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
}

/// Parses an amount as typed by a person. Zero is accepted (callers that need a
/// positive amount say so); signs are not.
pub fn parse(input: &str) -> Result<i64, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Enter an amount, e.g. 12.34.".into());
    }
    if s.starts_with(['-', '+', '−']) || s.ends_with(['-', '+']) {
        return Err("Enter the amount without a sign: expenses are positive amounts.".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_digit() || *c == '.' || *c == ',' || is_group_only(*c)))
    {
        return Err(if c.is_alphabetic() {
            "Use digits only: no letters or currency codes, e.g. 12.34.".into()
        } else {
            format!(
                "“{c}” cannot be part of an amount: use digits and one decimal mark, e.g. 12.34."
            )
        });
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let decimal = match (dots, commas) {
        (0, 0) => None,
        // Both marks: the last one is the decimal mark.
        (_, _) if dots > 0 && commas > 0 => {
            let last_dot = s.rfind('.').unwrap_or(0);
            let last_comma = s.rfind(',').unwrap_or(0);
            let dec = if last_dot > last_comma { '.' } else { ',' };
            if s.matches(dec).count() > 1 {
                return Err(format!(
                    "“{s}” has more than one decimal mark: write e.g. 1234.56."
                ));
            }
            Some(dec)
        }
        // One kind of mark, several times: thousands separators.
        (d, c) if d > 1 || c > 1 => None,
        // One mark once: decimals if 1 or 2 digits follow; 3 digits is ambiguous.
        _ => {
            let mark = if dots == 1 { '.' } else { ',' };
            let (head, tail) = s.split_once(mark).unwrap_or((s, ""));
            let tail_digits = tail.trim();
            let head_digits: String = head.chars().filter(|c| c.is_ascii_digit()).collect();
            if tail_digits.len() == 3
                && tail_digits.chars().all(|c| c.is_ascii_digit())
                && !head_digits.is_empty()
                && head_digits.len() <= 3
                && !head_digits.starts_with('0')
                && !head.chars().any(is_group_only)
            {
                let head = head.trim();
                return Err(format!(
                    "“{s}” is ambiguous: is it {head}{tail} or {head}.{tail}? Write {head}{tail}.00 or use two decimals."
                ));
            }
            if tail_digits.len() > 2 && !tail_digits.contains(is_group_only) {
                return Err("Use at most two decimals (cents), e.g. 12.34.".into());
            }
            Some(mark)
        }
    };
    let (int_part, frac_part) = match decimal {
        Some(mark) => s.split_once(mark).unwrap_or((s, "")),
        None => (s, ""),
    };
    let frac = frac_part.trim();
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err("Put digits only after the decimal mark, e.g. 12.34.".into());
    }
    if frac.len() > 2 {
        return Err("Use at most two decimals (cents), e.g. 12.34.".into());
    }
    let units = parse_grouped(int_part.trim(), decimal)?;
    if units.is_empty() && frac.is_empty() {
        return Err("Enter an amount, e.g. 12.34.".into());
    }
    to_cents(&units, frac)
}

/// The integer part without its thousands separators. Groups after the first must
/// have exactly three digits; only one kind of separator may be used.
fn parse_grouped(int_part: &str, decimal: Option<char>) -> Result<String, String> {
    let separators: Vec<char> = int_part.chars().filter(|c| !c.is_ascii_digit()).collect();
    if separators.is_empty() {
        return Ok(int_part.to_owned());
    }
    let sep = separators[0];
    if separators.iter().any(|c| *c != sep) || Some(sep) == decimal {
        return Err(format!(
            "“{int_part}” mixes separators: write e.g. 1234.56 or 1,234.56."
        ));
    }
    let groups: Vec<&str> = int_part.split(sep).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if !first_ok || !rest_ok {
        return Err(format!(
            "“{int_part}” is not grouped in thousands: write e.g. 1234.56 or 1,234.56."
        ));
    }
    Ok(groups.concat())
}

fn to_cents(units: &str, frac: &str) -> Result<i64, String> {
    let units = units.trim_start_matches('0');
    if units.len() > 12 {
        return Err("That amount is too large.".into());
    }
    let whole: i64 = if units.is_empty() {
        0
    } else {
        units
            .parse()
            .map_err(|_| "That amount is too large.".to_owned())?
    };
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
        _ => frac[..2].parse().unwrap_or(0),
    };
    let total = whole * 100 + cents;
    if total > MAX_CENTS {
        return Err("That amount is too large.".into());
    }
    Ok(total)
}

/// Parses an amount from a bank file where the decimal mark is known (`.` or `,`:
/// the other one is then a thousands separator). A sign (leading or trailing `-`,
/// or parentheses) is allowed here and returned in the result; currency symbols
/// around the number are ignored.
pub fn parse_signed(input: &str, decimal: char) -> Result<i64, String> {
    let mut s = input.trim().trim_matches(|c: char| {
        matches!(c, '€' | '$' | '£' | '¥' | '₣' | '₹' | '₽' | '₩') || c.is_whitespace()
    });
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    if let Some(rest) = s.strip_prefix(['-', '−']) {
        negative = !negative;
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_suffix('-') {
        negative = !negative;
        s = rest.trim_end();
    }
    s = s.trim_matches(|c: char| {
        matches!(c, '€' | '$' | '£' | '¥' | '₣' | '₹' | '₽' | '₩') || c.is_whitespace()
    });
    if s.is_empty() {
        return Err("no amount".into());
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_group_only(c))
    {
        return Err(format!("“{}” is not an amount", input.trim()));
    }
    let thousands = if decimal == ',' { '.' } else { ',' };
    let (int_part, frac) = match s.rsplit_once(decimal) {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int_part.contains(decimal) {
        return Err(format!("“{}” has two decimal marks", input.trim()));
    }
    if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "“{}” has more than two decimals or a bad decimal part",
            input.trim()
        ));
    }
    let units: String = int_part
        .chars()
        .filter(|c| *c != thousands && !is_group_only(*c))
        .collect();
    if !units.chars().all(|c| c.is_ascii_digit()) || (units.is_empty() && frac.is_empty()) {
        return Err(format!("“{}” is not an amount", input.trim()));
    }
    let cents = to_cents(&units, frac)?;
    Ok(if negative { -cents } else { cents })
}

/// `1234.56`: no symbol, no thousands separator (CSV export, form values).
pub fn format_plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `1,234.56`: thousands grouped, two decimals, no symbol.
pub fn format_number(cents: i64) -> String {
    let abs = cents.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3);
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// The symbol shown for a currency code; codes without one are written out.
fn symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        _ => return None,
    })
}

/// An amount for people: `€1,234.56`, `-€5.00`, `CHF 12.00`.
pub fn format_money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let number = format_number(cents.abs());
    match symbol(currency) {
        Some(sym) => format!("{sign}{sym}{number}"),
        None => format!("{sign}{currency}\u{a0}{number}"),
    }
}

/// A currency code as stored: three ASCII letters, upper case.
pub fn parse_currency(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("Enter a three-letter currency code such as EUR, USD or GBP.".into())
    }
}

/// Optional amounts (budgets): empty means none.
pub fn parse_optional(input: &str) -> Result<Option<i64>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some)
    }
}

/// A positive amount (expenses, recurring rules).
pub fn parse_positive(input: &str) -> Result<i64, String> {
    match parse(input)? {
        0 => Err("Enter an amount greater than zero.".into()),
        cents => Ok(cents),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_what_people_type() {
        assert_eq!(parse("12.34"), Ok(1234));
        assert_eq!(parse("12,34"), Ok(1234));
        assert_eq!(parse("12"), Ok(1200));
        assert_eq!(parse(" 12.3 "), Ok(1230));
        assert_eq!(parse("0.10"), Ok(10));
        assert_eq!(parse(".5"), Ok(50));
        assert_eq!(parse("1 234.56"), Ok(123_456));
        assert_eq!(parse("1\u{a0}234,56"), Ok(123_456));
        assert_eq!(parse("1'234.56"), Ok(123_456));
        assert_eq!(parse("1,234.56"), Ok(123_456));
        assert_eq!(parse("1.234,56"), Ok(123_456));
        assert_eq!(parse("1,234,567"), Ok(123_456_700));
        assert_eq!(parse("1 234"), Ok(123_400));
        assert_eq!(parse("1234"), Ok(123_400));
        assert_eq!(parse("0"), Ok(0));
    }

    #[test]
    fn refuses_with_a_reason() {
        let err = |s: &str| parse(s).unwrap_err();
        assert!(err("1,234").contains("ambiguous"), "{}", err("1,234"));
        assert!(err("1.234").contains("ambiguous"));
        assert!(err("12.345").contains("two decimals"));
        assert!(err("0,123").contains("two decimals"));
        assert!(err("12345,678").contains("two decimals"));
        assert!(err("-12").contains("sign"));
        assert!(err("+12").contains("sign"));
        assert!(err("12abc").contains("letters"));
        assert!(err("EUR 12").contains("letters"));
        assert!(err("€12").contains("cannot be part"));
        assert!(err("").contains("Enter"));
        assert!(err("12,34,5").contains("thousands"));
        assert!(err("1,2345.00").contains("thousands"));
        assert!(err("1.234.56,7.8").contains("decimal mark"));
        assert!(err("1 2").contains("thousands"));
        assert!(err("9999999999999").contains("too large"));
        assert!(err(".").contains("Enter"));
        assert_eq!(
            parse_positive("0"),
            Err("Enter an amount greater than zero.".into())
        );
    }

    #[test]
    fn bank_amounts() {
        assert_eq!(parse_signed("-12,34", ','), Ok(-1234));
        assert_eq!(parse_signed("1.234,56", ','), Ok(123_456));
        assert_eq!(parse_signed("1,234.56", '.'), Ok(123_456));
        assert_eq!(parse_signed("1,234", '.'), Ok(123_400));
        assert_eq!(parse_signed("(5.00)", '.'), Ok(-500));
        assert_eq!(parse_signed("5.00-", '.'), Ok(-500));
        assert_eq!(parse_signed("€ -5.00", '.'), Ok(-500));
        assert_eq!(parse_signed("+7", '.'), Ok(700));
        assert!(parse_signed("abc", '.').is_err());
        assert!(parse_signed("1.234", ',').is_ok());
        assert!(parse_signed("1.2345", '.').is_err());
        assert!(parse_signed("", '.').is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(format_plain(123_456), "1234.56");
        assert_eq!(format_plain(5), "0.05");
        assert_eq!(format_plain(-5), "-0.05");
        assert_eq!(format_number(123_456_789), "1,234,567.89");
        assert_eq!(format_number(100), "1.00");
        assert_eq!(format_money(123_456, "EUR"), "€1,234.56");
        assert_eq!(format_money(-500, "USD"), "-$5.00");
        assert_eq!(format_money(1200, "CHF"), "CHF\u{a0}12.00");
        assert_eq!(parse_currency(" usd "), Ok("USD".into()));
        assert!(parse_currency("US").is_err());
    }

    proptest! {
        #[test]
        fn parse_inverts_format(cents in 0..=MAX_CENTS) {
            prop_assert_eq!(parse(&format_plain(cents)), Ok(cents));
            prop_assert_eq!(parse(&format_number(cents)), Ok(cents));
            prop_assert_eq!(parse_signed(&format_plain(cents), '.'), Ok(cents));
            prop_assert_eq!(parse_signed(&format_plain(-cents), '.'), Ok(-cents));
            prop_assert_eq!(parse_signed(&format_number(cents), '.'), Ok(cents));
        }

        #[test]
        fn decimal_comma_inverts_too(cents in 0..=MAX_CENTS) {
            let comma = format_plain(cents).replace('.', ",");
            prop_assert_eq!(parse(&comma), Ok(cents));
            prop_assert_eq!(parse_signed(&comma, ','), Ok(cents));
        }

        #[test]
        fn never_panics(chars in proptest::collection::vec(any::<char>(), 0..20)) {
            let s: String = chars.into_iter().collect();
            let _ = parse(&s);
            let _ = parse_signed(&s, ',');
        }
    }
}
