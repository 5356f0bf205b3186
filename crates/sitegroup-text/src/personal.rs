//! Personal data (个人信息) detectors: mainland resident ID numbers, mobile numbers and bank
//! card numbers. Used by the content checks and, for redaction, by the interaction module.
//!
//! All detectors work on the width-folded text (full-width digits count) and report
//! offsets in characters of the input. A number is never part of a longer run of digits or
//! ASCII letters.

use serde::{Deserialize, Serialize};

use crate::fold::fold_width_char;

/// What kind of personal data a [`Match`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalKind {
    /// 居民身份证号码: 18 characters, valid region digit, valid birth date, GB 11643 check
    /// character (`0`–`9` or `X`).
    IdNumber,
    /// 手机号码: `1[3-9]` + 9 digits, optionally written 3-4-4 with spaces or hyphens.
    MobileNumber,
    /// 银行卡号: 16–19 digits starting with 3, 4, 5, 6 or 9, passing the Luhn check,
    /// optionally in groups of four separated by single spaces or hyphens.
    BankCard,
}

impl PersonalKind {
    /// The rule name used in findings: `id_number`, `mobile_number`, `bank_card`.
    pub fn rule(self) -> &'static str {
        match self {
            PersonalKind::IdNumber => "id_number",
            PersonalKind::MobileNumber => "mobile_number",
            PersonalKind::BankCard => "bank_card",
        }
    }
}

/// One piece of personal data found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// What was found.
    pub kind: PersonalKind,
    /// Start offset in characters of the input.
    pub start: usize,
    /// End offset (exclusive) in characters of the input.
    pub end: usize,
}

/// GB 11643-1999 check character of the first 17 digits.
pub fn id_check_char(first17: &[u8; 17]) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
    CHECK[(sum % 11) as usize]
}

/// Is `s` (18 chars, ASCII digits and a final `X`/`x`) a valid mainland ID number?
pub fn is_valid_id_number(s: &str) -> bool {
    let chars: Vec<char> = s.chars().map(fold_width_char).collect();
    valid_id(&chars)
}

fn valid_id(chars: &[char]) -> bool {
    if chars.len() != 18 {
        return false;
    }
    let mut digits = [0u8; 17];
    for (k, c) in chars[..17].iter().enumerate() {
        match c.to_digit(10) {
            Some(d) => digits[k] = d as u8,
            None => return false,
        }
    }
    // Region: provinces 11–82.
    let province = digits[0] * 10 + digits[1];
    if !(11..=82).contains(&province) {
        return false;
    }
    let year = digits[6..10].iter().fold(0u32, |a, d| a * 10 + u32::from(*d));
    let month = u32::from(digits[10]) * 10 + u32::from(digits[11]);
    let day = u32::from(digits[12]) * 10 + u32::from(digits[13]);
    if !(1900..=2099).contains(&year) || !valid_date(year, month, day) {
        return false;
    }
    let check = chars[17].to_ascii_uppercase();
    check == id_check_char(&digits)
}

fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Luhn check over ASCII digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (k, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if k % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Finds personal data in `text`; offsets in characters of `text`, sorted by start.
pub fn personal_data(text: &str) -> Vec<Match> {
    let chars: Vec<char> = text.chars().map(fold_width_char).collect();
    personal_data_in(&chars)
}

/// Same as [`personal_data`] over already width-folded characters.
pub(crate) fn personal_data_in(chars: &[char]) -> Vec<Match> {
    let mut out = Vec::new();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        if !chars[i].is_ascii_digit() || (i > 0 && is_word_char(chars[i - 1])) {
            i += 1;
            continue;
        }
        // A candidate number starts here: digits, possibly grouped by single ' ' or '-'.
        if let Some(m) = match_at(chars, i) {
            i = m.end;
            out.push(m);
            continue;
        }
        // Skip the rest of this digit run.
        while i < n && is_word_char(chars[i]) {
            i += 1;
        }
    }
    out
}

fn match_at(chars: &[char], i: usize) -> Option<Match> {
    let n = chars.len();
    // Plain run of digits (and a trailing X for IDs).
    let mut j = i;
    while j < n && chars[j].is_ascii_digit() {
        j += 1;
    }
    let run = j - i;
    let boundary_after = |e: usize| e >= n || !is_word_char(chars[e]);
    // ID number: 17 digits + X, or 18 digits.
    if run == 17 && matches!(chars.get(j), Some('X' | 'x')) && boundary_after(j + 1) && valid_id(&chars[i..j + 1]) {
        return Some(Match { kind: PersonalKind::IdNumber, start: i, end: j + 1 });
    }
    if run == 18 && boundary_after(j) && valid_id(&chars[i..j]) {
        return Some(Match { kind: PersonalKind::IdNumber, start: i, end: j });
    }
    if boundary_after(j) {
        if run == 11 && is_mobile(&chars[i..j]) {
            return Some(Match { kind: PersonalKind::MobileNumber, start: i, end: j });
        }
        if (16..=19).contains(&run) && is_card(&chars[i..j]) {
            return Some(Match { kind: PersonalKind::BankCard, start: i, end: j });
        }
    }
    // Grouped forms: 3-4-4 mobiles, 4-4-4-4(-1..3) cards, with one consistent separator.
    if run == 3 {
        if let Some(sep) = chars.get(j).copied().filter(|c| matches!(c, ' ' | '-')) {
            let (digits, end) = grouped(chars, i, sep, &[3, 4, 4]);
            if let Some(end) = end
                && boundary_after(end)
                && is_mobile(&digits)
            {
                return Some(Match { kind: PersonalKind::MobileNumber, start: i, end });
            }
        }
    } else if run == 4
        && let Some(sep) = chars.get(j).copied().filter(|c| matches!(c, ' ' | '-'))
    {
        for last in [3usize, 2, 1, 4] {
            for groups in [&[4, 4, 4, 4, last][..], &[4, 4, 4, last][..]] {
                let (digits, end) = grouped(chars, i, sep, groups);
                if let Some(end) = end
                    && boundary_after(end)
                    && (16..=19).contains(&digits.len())
                    && is_card(&digits)
                {
                    return Some(Match { kind: PersonalKind::BankCard, start: i, end });
                }
            }
        }
    }
    None
}

/// Reads digit groups of the given sizes separated by `sep`; the digits and end index.
fn grouped(chars: &[char], i: usize, sep: char, groups: &[usize]) -> (Vec<char>, Option<usize>) {
    let mut digits = Vec::with_capacity(20);
    let mut k = i;
    for (g, &size) in groups.iter().enumerate() {
        if g > 0 {
            if chars.get(k) != Some(&sep) {
                return (digits, None);
            }
            k += 1;
        }
        for _ in 0..size {
            match chars.get(k) {
                Some(c) if c.is_ascii_digit() => {
                    digits.push(*c);
                    k += 1;
                }
                _ => return (digits, None),
            }
        }
    }
    if chars.get(k).is_some_and(|c| c.is_ascii_digit()) {
        return (digits, None);
    }
    (digits, Some(k))
}

fn is_mobile(d: &[char]) -> bool {
    d.len() == 11 && d[0] == '1' && matches!(d[1], '3'..='9') && d.iter().all(|c| c.is_ascii_digit())
}

fn is_card(d: &[char]) -> bool {
    if !matches!(d.first(), Some('3' | '4' | '5' | '6' | '9')) {
        return false;
    }
    let digits: Vec<u8> = d.iter().filter_map(|c| c.to_digit(10)).map(|v| v as u8).collect();
    digits.len() == d.len() && luhn_valid(&digits)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn luhn() {
        assert!(luhn_valid(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn_valid(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
    }

    #[test]
    fn dates() {
        assert!(valid_date(2000, 2, 29));
        assert!(!valid_date(1900, 2, 29));
        assert!(!valid_date(2023, 4, 31));
    }
}
