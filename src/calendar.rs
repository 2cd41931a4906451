//! Dates and weeks. A run counts in weeks from its start date; a year is 52.1775 weeks
//! (the mean Gregorian year, 365.2425 days, over 7). Dates are days since 1970-01-01 in
//! the proleptic Gregorian calendar.

pub const WEEKS_PER_YEAR: f64 = 52.1775;

/// The weeks of one run: its start date and its horizon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calendar {
    /// Days since 1970-01-01 of week 0's first day.
    pub start_day: i64,
    pub horizon_weeks: u32,
}

impl Calendar {
    /// The week of the run in which `day` falls (negative before the start).
    pub fn week_of(&self, day: i64) -> i64 {
        (day - self.start_day).div_euclid(7)
    }

    /// Weeks from the start to `day`, with their fraction.
    pub fn weeks_to(&self, day: i64) -> f64 {
        (day - self.start_day) as f64 / 7.0
    }

    /// Calendar year (fractional) of week `week` of the run.
    pub fn year(&self, week: u32) -> f64 {
        year_of_day(self.start_day) + week as f64 / WEEKS_PER_YEAR
    }

    /// Weeks within the horizon of a date that recurs every `years` years, the next one on
    /// `day`.
    pub fn recurring(&self, day: i64, years: u32) -> Vec<u32> {
        let first = self.weeks_to(day);
        let every = years as f64 * WEEKS_PER_YEAR;
        (0..)
            .map(|k| (first + k as f64 * every).round())
            .take_while(|&w| w < self.horizon_weeks as f64)
            .filter(|&w| w >= 0.0)
            .map(|w| w as u32)
            .collect()
    }

    /// Whether `week` is the first week of a new year of the run.
    pub fn new_year(week: u32) -> bool {
        week > 0 && (week as f64 / WEEKS_PER_YEAR).floor() > ((week - 1) as f64 / WEEKS_PER_YEAR).floor()
    }
}

/// Parse YYYY-MM-DD into days since 1970-01-01.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("must be a date YYYY-MM-DD, got '{s}'");
    let parts: Vec<&str> = s.split('-').collect();
    let digits = parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !digits || parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let y: i64 = parts[0].parse().map_err(|_| bad())?;
    let m: u32 = parts[1].parse().map_err(|_| bad())?;
    let d: u32 = parts[2].parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days_from_civil.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Calendar year (fractional) of a day count, for ages and term clocks.
pub fn year_of_day(day: i64) -> f64 {
    1970.0 + day as f64 / 365.2425
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert_eq!(parse_date("2000-03-01").unwrap(), 11017);
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2024-2-29").is_err());
        assert!(parse_date("+999-01-01").is_err());
        assert!(parse_date("2024-+2-01").is_err());
    }

    #[test]
    fn weeks_of_a_run() {
        let cal = Calendar { start_day: parse_date("2026-06-01").unwrap(), horizon_weeks: 520 };
        assert_eq!(cal.week_of(parse_date("2026-06-07").unwrap()), 0);
        assert_eq!(cal.week_of(parse_date("2026-06-08").unwrap()), 1);
        assert_eq!(cal.week_of(parse_date("2026-05-31").unwrap()), -1);
        // Assembly elections: 2028-04-12, then every four years.
        assert_eq!(cal.recurring(parse_date("2028-04-12").unwrap(), 4), vec![97, 306, 515]);
        let years: Vec<u32> = (0..520).filter(|&w| Calendar::new_year(w)).collect();
        assert_eq!(years, vec![53, 105, 157, 209, 261, 314, 366, 418, 470]);
    }
}
