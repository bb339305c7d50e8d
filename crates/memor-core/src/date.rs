//! memor's dates, read and written exactly as memor 1.4 (Python 3.11) does.
//!
//! memor keeps `date_created`/`date_modified` as timezone-aware `datetime` objects. It writes them
//! with `strftime("%Y-%m-%d %H:%M:%S %z")` and reads them back with
//! `datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")`. [`Date`] reproduces both sides:
//! [`Date::parse_strict`] accepts exactly the texts CPython 3.11's `strptime` accepts with that
//! format, [`Date::parse`] additionally reads back the years before 1000 that the writer produces,
//! and [`Date`]'s [`Display`](fmt::Display) writes byte for byte what `strftime` writes, so parsing
//! then formatting reproduces memor's re-save. [`Date::now`] is `datetime.now(timezone.utc)`.
//!
//! # What Python's `strptime` accepts (and so does [`Date::parse_strict`])
//!
//! CPython's `_strptime` turns the format into a regular expression (case-insensitive, Unicode):
//!
//! | part | accepted | re-saved as |
//! | --- | --- | --- |
//! | year | exactly four `\d` (any Unicode decimal digit, `２０２４`, `𝟐𝟎𝟐𝟒`) | 4+ ASCII digits (see below for years < 1000); `0000` is rejected (`year 0 is out of range`) |
//! | month | `1[0-2]`, `0[1-9]` or `[1-9]`: ASCII only, one digit allowed (`2024-3-…`) | two digits |
//! | day | `3[01]`, `[12]\d`, `0[1-9]`, `[1-9]` or a space then `[1-9]` (`2024-03- 5`); only the second digit of `1x`/`2x` may be non-ASCII; Feb 29 etc. checked (`day is out of range for month`) | two digits |
//! | hour | `2[0-3]`, `[01]\d` or a single `\d` (`٥` is 5, but `٠٥` is rejected) | two digits |
//! | minute | `[0-5]\d` or a single `\d` | two digits |
//! | second | `6[01]`, `[0-5]\d` or a single `\d`; 60 and 61 then fail (`second must be in 0..59`) | two digits |
//! | separators | `-`, `:` literally; each space of the format is one or more whitespace characters in Python's sense (`str.isspace`: tabs, newlines, `\x1c`–`\x1f`, NBSP, U+3000, …) | one space |
//! | offset | `Z` (uppercase only), or `+`/`-`, two `\d` hours, optional `:`, `[0-5]\d` minutes, then optionally (`:`)`[0-5]\d` seconds and, after seconds, `.` and 1 to 6 `\d` fractional digits; the colons must be used consistently; the total must be strictly within ±24 h | `+HHMM`, `+HHMMSS` when there are seconds, `+HHMMSS.ffffff` when there are microseconds; a zero offset (`Z`, `-0000`) is `+0000` |
//!
//! Nothing may follow the offset (`unconverted data remains`), nothing may precede the year.
//! The errors are reported in Python's order: shape errors first (the whole text is matched
//! before anything is checked), then colon use in the offset, the calendar date, the offset's
//! range, and finally the second.
//!
//! # Years before 1000: a difference from memor
//!
//! Python 3.11 on Linux formats `%Y` with glibc, which does not pad: the year 999 is written
//! `999-12-31 23:59:59 +0000`, the year 5 `5-01-02 …`. memor accepts a file dated `0999-…`,
//! re-saves it as `999-…`, and then cannot load what it wrote (`%Y` wants exactly four digits).
//! Our writer keeps Python's bytes (`999-…`), but [`Date::parse`] (used by [`FromStr`] and
//! serde) also reads a year of one to three ASCII digits without a leading zero, which is exactly
//! what the writer produces, so every date we write can be read back. [`Date::parse_strict`]
//! keeps Python's behaviour and rejects such years.
//!
//! # Comparison
//!
//! As in Python, `==`, `<`, … and hashing compare instants: `2024-01-01 03:30:00 +0330` equals
//! `2024-01-01 00:00:00 +0000`. Use [`Date::identical`] to also compare the offset.
//!
//! # Fixing the clock
//!
//! [`Date::now`] returns the value set with [`set_now_for_tests`] / [`fix_now_for_tests`] on the
//! current thread, if any. The override is per thread, so tests running in parallel do not see
//! each other's clock.

use std::cell::Cell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Timelike};

/// The format memor reads and writes dates with (`params.DATE_TIME_FORMAT`).
pub const DATE_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S %z";

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a text is not a memor date, or why components do not make one.
///
/// Byte offsets (`at`) index the parsed text. Python reports the same failures as `ValueError`s;
/// each variant says which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text does not have the shape of the format (Python: `time data '…' does not match
    /// format '%Y-%m-%d %H:%M:%S %z'`).
    #[error(
        "time data does not match format '{DATE_TIME_FORMAT}': expected {expected} at byte {at}"
    )]
    Mismatch {
        /// Where the text stops matching.
        at: usize,
        /// What the format wants there.
        expected: Expected,
    },
    /// A complete date is followed by more text (Python: `unconverted data remains: …`).
    #[error("unconverted data remains after the UTC offset, from byte {at}")]
    TrailingData {
        /// Where the extra text starts.
        at: usize,
    },
    /// The offset separates hours and minutes with `:` but not minutes and seconds (`+03:3015`;
    /// Python: `Inconsistent use of : in +03:3015`).
    #[error("inconsistent use of ':' in the UTC offset: ':' expected at byte {at}")]
    InconsistentColon {
        /// Where the missing `:` should be.
        at: usize,
    },
    /// The offset separates minutes and seconds with `:` but not hours and minutes (`+0330:15`;
    /// Python: `invalid literal for int() with base 10: ':1'`).
    #[error("misplaced ':' in the UTC offset at byte {at}: hours and minutes have no ':'")]
    MisplacedColon {
        /// Where the unexpected `:` is.
        at: usize,
    },
    /// A component is outside its range (Python: `year 0 is out of range`,
    /// `second must be in 0..59`, `month must be in 1..12`, …).
    #[error("{field} {value} is out of range (must be in {}){}", field.range(), At(*at))]
    OutOfRange {
        /// The component.
        field: Field,
        /// Its value.
        value: i64,
        /// Where it is in the parsed text (`None` when not parsing).
        at: Option<usize>,
    },
    /// The day does not exist in that month (Python: `day is out of range for month`).
    #[error("day {day} is out of range for month {month} of year {year}{}", At(*at))]
    DayOutOfRange {
        /// The year.
        year: i64,
        /// The month.
        month: u32,
        /// The day.
        day: u32,
        /// Where the day is in the parsed text (`None` when not parsing).
        at: Option<usize>,
    },
    /// The UTC offset is not strictly between −24 h and +24 h (Python: `offset must be a
    /// timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), …`).
    #[error(
        "UTC offset of {micros} microseconds is not strictly between -24 hours and +24 hours{}",
        At(*at)
    )]
    OffsetOutOfRange {
        /// The offset, in microseconds east of UTC.
        micros: i64,
        /// Where the offset is in the parsed text (`None` when not parsing).
        at: Option<usize>,
    },
}

/// " at byte N" or nothing.
struct At(Option<usize>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(at) => write!(f, " at byte {at}"),
            None => Ok(()),
        }
    }
}

/// What the parser expected where a text stopped matching (see [`DateError::Mismatch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// Four decimal digits.
    Year,
    /// `1` to `12`, one or two ASCII digits.
    Month,
    /// `1` to `31`, one or two digits, or a space and one digit.
    Day,
    /// `0` to `23`, one or two digits.
    Hour,
    /// `0` to `59`, one or two digits.
    Minute,
    /// `0` to `61`, one or two digits.
    Second,
    /// `-`.
    Dash,
    /// `:`.
    Colon,
    /// One or more whitespace characters.
    Whitespace,
    /// `+`, `-` or `Z`.
    Offset,
    /// Two decimal digits after the offset's sign.
    OffsetHours,
    /// `00` to `59` after the offset's hours (and optional `:`).
    OffsetMinutes,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Year => "a four-digit year",
            Self::Month => "a month (1 to 12, one or two ASCII digits)",
            Self::Day => "a day (1 to 31, one or two digits)",
            Self::Hour => "an hour (0 to 23, one or two digits)",
            Self::Minute => "a minute (0 to 59, one or two digits)",
            Self::Second => "a second (0 to 59, one or two digits)",
            Self::Dash => "'-'",
            Self::Colon => "':'",
            Self::Whitespace => "whitespace",
            Self::Offset => "a UTC offset ('+HHMM', '-HH:MM', '+HHMMSS' or 'Z')",
            Self::OffsetHours => "the two-digit hours of the UTC offset",
            Self::OffsetMinutes => "the two-digit minutes (00 to 59) of the UTC offset",
        })
    }
}

/// A component of a [`Date`] (see [`DateError::OutOfRange`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// 1 to 9999.
    Year,
    /// 1 to 12.
    Month,
    /// 1 to the length of the month.
    Day,
    /// 0 to 23.
    Hour,
    /// 0 to 59.
    Minute,
    /// 0 to 59.
    Second,
    /// 0 to 999999.
    Microsecond,
}

impl Field {
    fn range(self) -> &'static str {
        match self {
            Self::Year => "1..=9999",
            Self::Month => "1..=12",
            Self::Day => "1..=31",
            Self::Hour => "0..=23",
            Self::Minute | Self::Second => "0..=59",
            Self::Microsecond => "0..=999999",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Year => "year",
            Self::Month => "month",
            Self::Day => "day",
            Self::Hour => "hour",
            Self::Minute => "minute",
            Self::Second => "second",
            Self::Microsecond => "microsecond",
        })
    }
}

// ---------------------------------------------------------------------------------------------
// UtcOffset
// ---------------------------------------------------------------------------------------------

/// A fixed UTC offset, as Python's `datetime.timezone`: a whole number of microseconds
/// strictly between −24 h and +24 h (Python allows seconds and microseconds in offsets; chrono's
/// `FixedOffset` does not allow microseconds, hence this type).
///
/// Its [`Display`](fmt::Display) is `strftime`'s `%z`: `+HHMM`, `+HHMMSS` when the seconds are
/// not zero, `+HHMMSS.ffffff` when the microseconds are not zero; a zero offset is `+0000`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct UtcOffset {
    micros: i64,
}

impl UtcOffset {
    /// UTC, `+0000`.
    pub const UTC: Self = Self { micros: 0 };

    /// The offset of `micros` microseconds east of UTC; fails unless strictly within ±24 h.
    pub fn from_micros(micros: i64) -> Result<Self, DateError> {
        if micros.unsigned_abs() < MICROS_PER_DAY.unsigned_abs() {
            Ok(Self { micros })
        } else {
            Err(DateError::OffsetOutOfRange { micros, at: None })
        }
    }

    /// The offset of `seconds` seconds east of UTC; fails unless strictly within ±24 h.
    pub fn from_seconds(seconds: i32) -> Result<Self, DateError> {
        Self::from_micros(i64::from(seconds) * MICROS_PER_SECOND)
    }

    /// The offset in microseconds east of UTC.
    pub const fn total_micros(self) -> i64 {
        self.micros
    }

    /// Whether this is a zero offset.
    pub const fn is_utc(self) -> bool {
        self.micros == 0
    }
}

impl fmt::Display for UtcOffset {
    /// Python's `format_utcoffset` with an empty separator (`%z`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.micros < 0 { '-' } else { '+' };
        let abs = self.micros.unsigned_abs();
        let us = abs % MICROS_PER_SECOND.unsigned_abs();
        let secs = abs / MICROS_PER_SECOND.unsigned_abs();
        let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
        if us != 0 {
            write!(f, "{sign}{hh:02}{mm:02}{ss:02}.{us:06}")
        } else if ss != 0 {
            write!(f, "{sign}{hh:02}{mm:02}{ss:02}")
        } else {
            write!(f, "{sign}{hh:02}{mm:02}")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Date
// ---------------------------------------------------------------------------------------------

/// A memor date: an aware Python `datetime` with a fixed offset.
///
/// Years 1 to 9999, microsecond precision, offsets with seconds and microseconds (see
/// [`UtcOffset`]). Parsed dates have no microseconds (`%S` has none); [`Date::now`] has them,
/// and they are not written (as in Python).
///
/// `==`, `Ord` and `Hash` compare instants, like Python's aware datetimes; see
/// [`Date::identical`]. `Display` is the memor text (see the [module docs](self)).
#[derive(Clone, Copy, Debug)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    microsecond: u32,
    offset: UtcOffset,
}

impl Date {
    /// Used by [`Date::now`] if the system clock is outside years 1..=9999.
    const MIN: Self = Self {
        year: 1,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        microsecond: 0,
        offset: UtcOffset::UTC,
    };
    /// Used by [`Date::now`] if the system clock is outside years 1..=9999.
    const MAX: Self = Self {
        year: 9999,
        month: 12,
        day: 31,
        hour: 23,
        minute: 59,
        second: 59,
        microsecond: 999_999,
        offset: UtcOffset::UTC,
    };

    /// The date with these components and no microseconds, checked as Python's `datetime`
    /// constructor does (year 1..=9999, a real day, hour 0..=23, minute and second 0..=59).
    pub fn new(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        offset: UtcOffset,
    ) -> Result<Self, DateError> {
        let out_of_range = |field, value: u32| DateError::OutOfRange {
            field,
            value: i64::from(value),
            at: None,
        };
        let year16 = u16::try_from(year)
            .ok()
            .filter(|y| (1..=9999).contains(y))
            .ok_or(DateError::OutOfRange {
                field: Field::Year,
                value: i64::from(year),
                at: None,
            })?;
        let month8 = u8::try_from(month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or(out_of_range(Field::Month, month))?;
        let day8 = u8::try_from(day)
            .ok()
            .filter(|d| *d >= 1 && *d <= days_in_month(year16, month8))
            .ok_or(DateError::DayOutOfRange {
                year: i64::from(year),
                month,
                day,
                at: None,
            })?;
        let hour8 = u8::try_from(hour)
            .ok()
            .filter(|h| *h <= 23)
            .ok_or(out_of_range(Field::Hour, hour))?;
        let minute8 = u8::try_from(minute)
            .ok()
            .filter(|m| *m <= 59)
            .ok_or(out_of_range(Field::Minute, minute))?;
        let second8 = u8::try_from(second)
            .ok()
            .filter(|s| *s <= 59)
            .ok_or(out_of_range(Field::Second, second))?;
        Ok(Self {
            year: year16,
            month: month8,
            day: day8,
            hour: hour8,
            minute: minute8,
            second: second8,
            microsecond: 0,
            offset,
        })
    }

    /// This date with its microseconds set (0..=999999).
    pub fn with_microsecond(self, microsecond: u32) -> Result<Self, DateError> {
        if microsecond <= 999_999 {
            Ok(Self {
                microsecond,
                ..self
            })
        } else {
            Err(DateError::OutOfRange {
                field: Field::Microsecond,
                value: i64::from(microsecond),
                at: None,
            })
        }
    }

    /// The same wall-clock time with another offset (Python's `replace(tzinfo=…)`).
    #[must_use]
    pub fn with_offset(self, offset: UtcOffset) -> Self {
        Self { offset, ..self }
    }

    /// The same instant seen at another offset (Python's `astimezone(…)`); fails if the result
    /// is outside years 1..=9999.
    pub fn to_offset(self, offset: UtcOffset) -> Result<Self, DateError> {
        Self::from_unix_micros(self.unix_micros(), offset)
    }

    /// The instant `micros` microseconds after 1970-01-01 00:00:00 UTC, seen at `offset`; fails
    /// if that is outside years 1..=9999.
    pub fn from_unix_micros(micros: i64, offset: UtcOffset) -> Result<Self, DateError> {
        let local = i128::from(micros) + i128::from(offset.micros);
        let day_micros = i128::from(MICROS_PER_DAY);
        // |local| < 2^64, so the day count fits an i64 easily.
        let days = local.div_euclid(day_micros) as i64;
        let time = local.rem_euclid(day_micros) as i64;
        let (year, month, day) = civil_from_days(days);
        let year16 = u16::try_from(year)
            .ok()
            .filter(|y| (1..=9999).contains(y))
            .ok_or(DateError::OutOfRange {
                field: Field::Year,
                value: year,
                at: None,
            })?;
        Ok(Self {
            year: year16,
            month: month as u8,
            day: day as u8,
            hour: (time / MICROS_PER_HOUR) as u8,
            minute: (time / MICROS_PER_MINUTE % 60) as u8,
            second: (time / MICROS_PER_SECOND % 60) as u8,
            microsecond: (time % MICROS_PER_SECOND) as u32,
            offset,
        })
    }

    /// The instant, in microseconds since 1970-01-01 00:00:00 UTC (negative before).
    pub fn unix_micros(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * MICROS_PER_DAY
            + i64::from(self.hour) * MICROS_PER_HOUR
            + i64::from(self.minute) * MICROS_PER_MINUTE
            + i64::from(self.second) * MICROS_PER_SECOND
            + i64::from(self.microsecond)
            - self.offset.micros
    }

    /// The current time as memor stamps it: `datetime.now(timezone.utc)` (UTC, microseconds
    /// kept), unless the clock is fixed on this thread with [`set_now_for_tests`] or
    /// [`fix_now_for_tests`].
    ///
    /// Never panics: a system clock outside years 1..=9999 gives the nearest representable date.
    pub fn now() -> Self {
        if let Some(now) = NOW_OVERRIDE.try_with(Cell::get).ok().flatten() {
            return now;
        }
        let micros = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_micros()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_micros()).map_or(i64::MIN, |m| -m),
        };
        Self::from_unix_micros(micros, UtcOffset::UTC).unwrap_or(if micros < 0 {
            Self::MIN
        } else {
            Self::MAX
        })
    }

    /// Reads a memor date: what [`Date::parse_strict`] (Python's `strptime`) accepts, and also
    /// years of one to three ASCII digits without a leading zero (`999-12-31 23:59:59 +0000`),
    /// which is how Python writes years before 1000 (see the [module docs](self)).
    ///
    /// Does not allocate.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        parse(text, true)
    }

    /// Reads a date exactly as `datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")` does in
    /// CPython 3.11: accepts what it accepts, rejects what it rejects (see the
    /// [module docs](self)).
    ///
    /// Does not allocate.
    pub fn parse_strict(text: &str) -> Result<Self, DateError> {
        parse(text, false)
    }

    /// The memor text of this date, as `strftime("%Y-%m-%d %H:%M:%S %z")` writes it (the same as
    /// `to_string()`).
    pub fn to_memor_string(&self) -> String {
        self.to_string()
    }

    /// Whether both dates have the same components *and* the same offset (`==` compares
    /// instants only).
    pub fn identical(&self, other: &Self) -> bool {
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.microsecond,
            self.offset,
        ) == (
            other.year,
            other.month,
            other.day,
            other.hour,
            other.minute,
            other.second,
            other.microsecond,
            other.offset,
        )
    }

    /// The year, 1..=9999.
    pub fn year(&self) -> i32 {
        i32::from(self.year)
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u32 {
        u32::from(self.day)
    }

    /// The hour, 0..=23.
    pub fn hour(&self) -> u32 {
        u32::from(self.hour)
    }

    /// The minute, 0..=59.
    pub fn minute(&self) -> u32 {
        u32::from(self.minute)
    }

    /// The second, 0..=59.
    pub fn second(&self) -> u32 {
        u32::from(self.second)
    }

    /// The microsecond, 0..=999999 (never written to files).
    pub fn microsecond(&self) -> u32 {
        self.microsecond
    }

    /// The UTC offset.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The date of a chrono date-time (nanoseconds truncated to microseconds, a leap second
    /// clamped to `:59.999999`); fails outside years 1..=9999.
    pub fn from_chrono<Tz: TimeZone>(date_time: &DateTime<Tz>) -> Result<Self, DateError> {
        let fixed = date_time.fixed_offset();
        let local = fixed.naive_local();
        let offset = UtcOffset::from_seconds(fixed.offset().local_minus_utc())?;
        Self::new(
            local.year(),
            local.month(),
            local.day(),
            local.hour(),
            local.minute(),
            local.second(),
            offset,
        )?
        .with_microsecond((local.nanosecond() / 1000).min(999_999))
    }

    /// This date as a chrono date-time, or `None` if its offset has microseconds (chrono's
    /// `FixedOffset` has whole seconds).
    pub fn to_chrono(&self) -> Option<DateTime<FixedOffset>> {
        if self.offset.micros % MICROS_PER_SECOND != 0 {
            return None;
        }
        let offset =
            FixedOffset::east_opt(i32::try_from(self.offset.micros / MICROS_PER_SECOND).ok()?)?;
        let naive = NaiveDate::from_ymd_opt(self.year(), self.month(), self.day())?
            .and_hms_micro_opt(self.hour(), self.minute(), self.second(), self.microsecond)?;
        offset.from_local_datetime(&naive).single()
    }
}

impl fmt::Display for Date {
    /// `strftime("%Y-%m-%d %H:%M:%S %z")` as CPython 3.11 on Linux writes it: the year is not
    /// padded (glibc), microseconds are not written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}-{:02} {:02}:{:02}:{:02} {}",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.offset
        )
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// [`Date::parse`].
    fn from_str(text: &str) -> Result<Self, DateError> {
        Self::parse(text)
    }
}

impl PartialEq for Date {
    fn eq(&self, other: &Self) -> bool {
        self.unix_micros() == other.unix_micros()
    }
}

impl Eq for Date {}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        self.unix_micros().cmp(&other.unix_micros())
    }
}

impl Hash for Date {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.unix_micros().hash(state);
    }
}

impl serde::Serialize for Date {
    /// The memor text.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    /// A string read with [`Date::parse`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DateVisitor)
    }
}

struct DateVisitor;

impl serde::de::Visitor<'_> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a memor date string (\"%Y-%m-%d %H:%M:%S %z\")")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
        Date::parse(text).map_err(E::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Clock override
// ---------------------------------------------------------------------------------------------

thread_local! {
    static NOW_OVERRIDE: Cell<Option<Date>> = const { Cell::new(None) };
}

/// Fixes (`Some`) or releases (`None`) the value [`Date::now`] returns **on the current thread**,
/// and returns the previous setting.
///
/// Meant for tests (the conformance corpus was made with the clock at
/// `2099-01-01 00:00:00 +0000`); other threads keep their own setting.
pub fn set_now_for_tests(now: Option<Date>) -> Option<Date> {
    NOW_OVERRIDE
        .try_with(|cell| cell.replace(now))
        .ok()
        .flatten()
}

/// Fixes [`Date::now`] at `now` on the current thread until the returned guard is dropped, which
/// restores the previous setting.
///
/// ```
/// use memor_core::date::{fix_now_for_tests, Date};
/// let fixed: Date = "2099-01-01 00:00:00 +0000".parse().unwrap();
/// let _clock = fix_now_for_tests(fixed);
/// assert_eq!(Date::now().to_string(), "2099-01-01 00:00:00 +0000");
/// ```
pub fn fix_now_for_tests(now: Date) -> FixedNow {
    FixedNow {
        previous: set_now_for_tests(Some(now)),
        _not_send: PhantomData,
    }
}

/// Guard returned by [`fix_now_for_tests`]; restores the previous clock setting when dropped.
/// It stays on the thread it was made on.
#[must_use = "the clock is released as soon as the guard is dropped"]
#[derive(Debug)]
pub struct FixedNow {
    previous: Option<Date>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for FixedNow {
    fn drop(&mut self) {
        set_now_for_tests(self.previous);
    }
}

// ---------------------------------------------------------------------------------------------
// Parser: CPython 3.11's `_strptime` regex for "%Y-%m-%d %H:%M:%S %z", without a regex engine
// ---------------------------------------------------------------------------------------------

/// One regex atom of `_strptime`'s patterns.
#[derive(Clone, Copy)]
enum Class {
    /// `\d`: any Unicode decimal digit (`str.isdecimal`).
    Digit,
    /// `[lo-hi]`: ASCII digits only.
    Ascii(u8, u8),
    /// A literal space (the day's ` [1-9]` alternative).
    Space,
}

use Class::{Ascii, Digit, Space};

/// `(?P<m>1[0-2]|0[1-9]|[1-9])`
const MONTH: &[&[Class]] = &[
    &[Ascii(b'1', b'1'), Ascii(b'0', b'2')],
    &[Ascii(b'0', b'0'), Ascii(b'1', b'9')],
    &[Ascii(b'1', b'9')],
];
/// `(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])`
const DAY: &[&[Class]] = &[
    &[Ascii(b'3', b'3'), Ascii(b'0', b'1')],
    &[Ascii(b'1', b'2'), Digit],
    &[Ascii(b'0', b'0'), Ascii(b'1', b'9')],
    &[Ascii(b'1', b'9')],
    &[Space, Ascii(b'1', b'9')],
];
/// `(?P<H>2[0-3]|[0-1]\d|\d)`
const HOUR: &[&[Class]] = &[
    &[Ascii(b'2', b'2'), Ascii(b'0', b'3')],
    &[Ascii(b'0', b'1'), Digit],
    &[Digit],
];
/// `(?P<M>[0-5]\d|\d)`
const MINUTE: &[&[Class]] = &[&[Ascii(b'0', b'5'), Digit], &[Digit]];
/// `(?P<S>6[0-1]|[0-5]\d|\d)`
const SECOND: &[&[Class]] = &[
    &[Ascii(b'6', b'6'), Ascii(b'0', b'1')],
    &[Ascii(b'0', b'5'), Digit],
    &[Digit],
];
/// `\d\d\d\d`
const YEAR: &[Class] = &[Digit, Digit, Digit, Digit];
/// `\d\d`
const TWO_DIGITS: &[Class] = &[Digit, Digit];
/// `[0-5]\d`
const SEXAGESIMAL: &[Class] = &[Ascii(b'0', b'5'), Digit];

/// What follows a field.
#[derive(Clone, Copy)]
enum Sep {
    Dash,
    Colon,
    /// `\s+`
    Whitespace,
}

impl Sep {
    fn expected(self) -> Expected {
        match self {
            Self::Dash => Expected::Dash,
            Self::Colon => Expected::Colon,
            Self::Whitespace => Expected::Whitespace,
        }
    }

    /// The end of this separator at `pos`, if it is there.
    fn end(self, text: &str, pos: usize) -> Option<usize> {
        match self {
            Self::Dash => (char_at(text, pos)? == '-').then_some(pos + 1),
            Self::Colon => (char_at(text, pos)? == ':').then_some(pos + 1),
            Self::Whitespace => {
                let mut end = pos;
                while let Some(c) = char_at(text, end).filter(|c| is_python_space(*c)) {
                    end += c.len_utf8();
                }
                (end > pos).then_some(end)
            }
        }
    }
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..)?.chars().next()
}

/// Python's `str.isspace()`, which is what `\s` matches in a `str` pattern.
fn is_python_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// The zero of every run of ten decimal digits (general category Nd) in Unicode 14.0, the
/// version of Python 3.11's `unicodedata` (generated with Python).
const DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50,
    0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

/// The value of a Unicode decimal digit (what `\d` matches and `int()` reads).
fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii() {
        return c.to_digit(10);
    }
    let code = u32::from(c);
    let run = DECIMAL_ZEROS.partition_point(|zero| *zero <= code);
    let zero = DECIMAL_ZEROS.get(run.checked_sub(1)?)?;
    let value = code - zero;
    (value < 10).then_some(value)
}

fn class_value(class: Class, c: char) -> Option<u32> {
    match class {
        Digit => decimal_value(c),
        Ascii(lo, hi) => {
            let byte = u8::try_from(c).ok().filter(|b| (lo..=hi).contains(b))?;
            Some(u32::from(byte - b'0'))
        }
        Space => (c == ' ').then_some(0),
    }
}

/// Matches a sequence of atoms at `pos`: its value (as `int()` reads it) and end.
fn match_seq(text: &str, pos: usize, seq: &[Class]) -> Option<(u32, usize)> {
    let mut end = pos;
    let mut value = 0;
    for class in seq {
        let c = char_at(text, end)?;
        value = value * 10 + class_value(*class, c)?;
        end += c.len_utf8();
    }
    Some((value, end))
}

/// One field (alternatives tried in the regex's order) and the separator after it.
///
/// Every alternative consumes digits (or a space then a digit) and every separator starts with a
/// non-digit, so at most one alternative can be followed by the separator: the regex engine's
/// backtracking has no other choice to make, and taking the first alternative followed by the
/// separator is what it does.
fn field(
    text: &str,
    pos: usize,
    alternatives: &[&[Class]],
    sep: Sep,
    expected: Expected,
) -> Result<(u32, usize), DateError> {
    let mut longest = None;
    for alternative in alternatives {
        if let Some((value, end)) = match_seq(text, pos, alternative) {
            if let Some(next) = sep.end(text, end) {
                return Ok((value, next));
            }
            longest = longest.max(Some(end));
        }
    }
    Err(match longest {
        // The field itself is fine so far, the separator is missing.
        Some(end) if char_at(text, end).is_none_or(|c| decimal_value(c).is_none()) => {
            DateError::Mismatch {
                at: end,
                expected: sep.expected(),
            }
        }
        _ => DateError::Mismatch { at: pos, expected },
    })
}

/// `(?P<Y>\d\d\d\d)-`, or in lenient mode also what `%Y` writes for years before 1000.
fn year(text: &str, lenient: bool) -> Result<(u32, usize), DateError> {
    let strict = field(text, 0, &[YEAR], Sep::Dash, Expected::Year);
    if strict.is_ok() || !lenient {
        return strict;
    }
    let bytes = text.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if (1..=3).contains(&digits) && bytes.first() != Some(&b'0') && bytes.get(digits) == Some(&b'-')
    {
        let value = bytes
            .iter()
            .take(digits)
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'));
        return Ok((value, digits + 1));
    }
    strict
}

/// What `(?P<z>[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z))` matched.
#[derive(Default)]
struct RawOffset {
    negative: bool,
    hours: u32,
    minutes: u32,
    seconds: u32,
    micros: u32,
    /// A `:` between hours and minutes.
    first_colon: bool,
    /// Where the seconds start, if any.
    seconds_at: Option<usize>,
    /// Where the `:` between minutes and seconds is, if any.
    second_colon_at: Option<usize>,
    end: usize,
}

/// The offset at `pos`. The regex is greedy and ends the pattern, so the longest match is taken.
fn raw_offset(text: &str, pos: usize) -> Result<RawOffset, DateError> {
    let negative = match char_at(text, pos) {
        Some('Z') => {
            return Ok(RawOffset {
                end: pos + 1,
                ..RawOffset::default()
            });
        }
        Some('+') => false,
        Some('-') => true,
        _ => {
            return Err(DateError::Mismatch {
                at: pos,
                expected: Expected::Offset,
            });
        }
    };
    let (hours, mut end) = match_seq(text, pos + 1, TWO_DIGITS).ok_or(DateError::Mismatch {
        at: pos + 1,
        expected: Expected::OffsetHours,
    })?;
    let mut raw = RawOffset {
        negative,
        hours,
        ..RawOffset::default()
    };
    // `:?[0-5]\d`: try with the colon first (greedy), then without.
    let with_colon = Sep::Colon
        .end(text, end)
        .and_then(|after| match_seq(text, after, SEXAGESIMAL));
    (raw.minutes, end) = if let Some(found) = with_colon {
        raw.first_colon = true;
        found
    } else {
        match_seq(text, end, SEXAGESIMAL).ok_or(DateError::Mismatch {
            at: end,
            expected: Expected::OffsetMinutes,
        })?
    };
    // `(:?[0-5]\d(\.\d{1,6})?)?`
    let colon_end = Sep::Colon.end(text, end);
    let seconds =
        match colon_end.and_then(|after| Some((after, match_seq(text, after, SEXAGESIMAL)?))) {
            Some((after, found)) => {
                raw.second_colon_at = Some(end);
                Some((after, found))
            }
            None => match_seq(text, end, SEXAGESIMAL).map(|found| (end, found)),
        };
    if let Some((seconds_at, (seconds, after))) = seconds {
        raw.seconds_at = Some(seconds_at);
        raw.seconds = seconds;
        end = after;
        if char_at(text, end) == Some('.') {
            let mut digits = 0;
            let mut fraction_end = end + 1;
            let mut micros = 0;
            while digits < 6 {
                let Some((digit, next)) = match_seq(text, fraction_end, &[Digit]) else {
                    break;
                };
                micros = micros * 10 + digit;
                fraction_end = next;
                digits += 1;
            }
            if digits > 0 {
                raw.micros = micros * 10_u32.pow(6 - digits);
                end = fraction_end;
            }
        }
    }
    raw.end = end;
    Ok(raw)
}

fn parse(text: &str, lenient: bool) -> Result<Date, DateError> {
    // 1. The regex match.
    let (year, pos) = year(text, lenient)?;
    let (month, pos) = field(text, pos, MONTH, Sep::Dash, Expected::Month)?;
    let day_at = pos;
    let (day, pos) = field(text, pos, DAY, Sep::Whitespace, Expected::Day)?;
    let (hour, pos) = field(text, pos, HOUR, Sep::Colon, Expected::Hour)?;
    let (minute, pos) = field(text, pos, MINUTE, Sep::Colon, Expected::Minute)?;
    let second_at = pos;
    let (second, pos) = field(text, pos, SECOND, Sep::Whitespace, Expected::Second)?;
    let offset_at = pos;
    let raw = raw_offset(text, pos)?;
    // 2. `unconverted data remains`.
    if raw.end != text.len() {
        return Err(DateError::TrailingData { at: raw.end });
    }
    // 3. `_strptime`'s handling of the `z` group.
    match (raw.first_colon, raw.seconds_at, raw.second_colon_at) {
        (true, Some(at), None) => return Err(DateError::InconsistentColon { at }),
        (false, _, Some(at)) => return Err(DateError::MisplacedColon { at }),
        _ => {}
    }
    // 4. `datetime_date(year, month, day)`.
    if year == 0 {
        return Err(DateError::OutOfRange {
            field: Field::Year,
            value: 0,
            at: Some(0),
        });
    }
    // The regex bounds every value: year < 10000, month <= 12, day <= 31, hour <= 23, ...
    let (year, month, day) = (year as u16, month as u8, day as u8);
    if day > days_in_month(year, month) {
        return Err(DateError::DayOutOfRange {
            year: i64::from(year),
            month: u32::from(month),
            day: u32::from(day),
            at: Some(day_at),
        });
    }
    // 5. `timezone(timedelta(...))`.
    let magnitude = i64::from(raw.hours * 3600 + raw.minutes * 60 + raw.seconds)
        * MICROS_PER_SECOND
        + i64::from(raw.micros);
    let micros = if raw.negative { -magnitude } else { magnitude };
    let offset = UtcOffset::from_micros(micros).map_err(|_| DateError::OffsetOutOfRange {
        micros,
        at: Some(offset_at),
    })?;
    // 6. `datetime(...)`.
    if second > 59 {
        return Err(DateError::OutOfRange {
            field: Field::Second,
            value: i64::from(second),
            at: Some(second_at),
        });
    }
    Ok(Date {
        year,
        month,
        day,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        microsecond: 0,
        offset,
    })
}

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `days` days after 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}
