//! Excel workbooks (`.xlsx`, written with rust_xlsxwriter): one sheet per report table, headers
//! in the interface language, codes stored as text (a 12-digit village code never shows as
//! `5.10104E+11`), numbers as numbers with formats, widths set for Chinese text (which
//! autofit undercounts), a frozen header row with a filter, and an "about" sheet with the
//! data source, the scenario and the version. Rows stream to disk (constant-memory sheets).

use std::path::Path;

use rust_xlsxwriter::{Color, DocProperties, Format, FormatBorder, Workbook, XlsxError};
use unicode_width::UnicodeWidthStr;

use crate::atomic::write_atomic;
use crate::lang::Lang;
use crate::report::meta::Metadata;
use crate::table::{Cell, Column, TableWriter};

/// The most rows a sheet holds (Excel's limit); longer tables go on into a second sheet.
const MAX_ROWS: u32 = 1_048_576;
/// Rows measured for column widths before the sheet starts streaming.
const MEASURED_ROWS: usize = 500;
/// The widest a column is made, in characters of the default font.
const MAX_WIDTH: f64 = 48.0;
/// The height of a line of the header row (10-point Microsoft YaHei, whose Chinese needs more
/// than Excel's default line), in points.
const HEADER_LINE_PT: f64 = 16.0;
/// The height of a line of wrapped text in a body row, in points.
const ROW_LINE_PT: f64 = 14.0;
/// A4, in Excel's paper sizes.
const A4: u8 = 9;

/// How a sheet prints: A4 landscape, every column on the width of one page (as many pages
/// long as it takes), the page number and count at the foot, and a table's header row
/// repeated at the top of each page.
fn print_setup(sheet: &mut rust_xlsxwriter::Worksheet, header_row: bool) -> std::io::Result<()> {
    sheet
        .set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_footer("&C&P / &N");
    if header_row {
        sheet.set_repeat_rows(0, 0).map_err(io)?;
    }
    Ok(())
}

/// An Excel workbook being filled, sheet by sheet.
pub struct Xlsx {
    book: Workbook,
    lang: Lang,
    formats: Formats,
}

/// The cell formats of every sheet.
struct Formats {
    header: Format,
    text: Format,
    code: Format,
    count: Format,
    decimal: Format,
    share: Format,
    /// A number as it was given (Excel's General).
    plain: Format,
    /// Coordinates, to five decimals.
    coordinate: Format,
    wrapped: Format,
}

impl Formats {
    fn new() -> Self {
        let font = |f: Format| f.set_font_name("Microsoft YaHei").set_font_size(10);
        Self {
            header: font(Format::new())
                .set_bold()
                .set_text_wrap()
                .set_align(rust_xlsxwriter::FormatAlign::Top)
                .set_background_color(Color::RGB(0xE8EEF4))
                .set_border_bottom(FormatBorder::Thin),
            text: font(Format::new()),
            // "@": Excel keeps the cell as text when someone edits it.
            code: font(Format::new()).set_num_format("@"),
            count: font(Format::new()).set_num_format("#,##0"),
            decimal: font(Format::new()).set_num_format("#,##0.00"),
            share: font(Format::new()).set_num_format("0.0%"),
            plain: font(Format::new()).set_num_format("General"),
            coordinate: font(Format::new()).set_num_format("0.00000"),
            wrapped: font(Format::new())
                .set_text_wrap()
                .set_align(rust_xlsxwriter::FormatAlign::Top),
        }
    }
}

fn io(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Xlsx {
    /// A new workbook whose headers and sheet names are in `lang`, its document properties
    /// recording `meta`.
    pub fn new(lang: Lang, meta: &Metadata) -> Self {
        let mut book = Workbook::new();
        let mut properties = DocProperties::new()
            .set_title(format!("{} — {}", meta.scenario_names(), meta.dataset))
            .set_subject(meta.dataset.clone())
            .set_author(meta.program.clone())
            .set_comment(meta.modelled_note(lang).unwrap_or_default())
            .set_custom_property("jianzhi_version", meta.program.as_str())
            .set_custom_property("made_at", meta.made_at.as_str())
            .set_custom_property("dataset", meta.dataset.as_str());
        for (i, s) in meta.scenarios.iter().enumerate() {
            properties =
                properties.set_custom_property(format!("scenario_{}", i + 1), s.name.as_str());
        }
        // Created when the metadata says the files were made (so a run is reproducible).
        if let Some(at) = super::meta::seconds_of(&meta.made_at)
            .and_then(|secs| rust_xlsxwriter::ExcelDateTime::from_timestamp(secs).ok())
        {
            properties = properties.set_creation_datetime(&at);
        }
        book.set_properties(&properties);
        Self {
            book,
            lang,
            formats: Formats::new(),
        }
    }

    /// Adds a sheet named `name` holding the table `fill` writes.
    pub fn table(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut dyn TableWriter) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut sheet = SheetWriter {
            xlsx: self,
            name: name.to_string(),
            columns: Vec::new(),
            widths: Vec::new(),
            measured: Vec::new(),
            sheet: None,
            row: 0,
            part: 0,
        };
        fill(&mut sheet)?;
        sheet.finish()
    }

    /// Adds a sheet of label and value pairs (the "about" sheet).
    pub fn notes(&mut self, name: &str, lines: &[(&str, String)]) -> std::io::Result<()> {
        let f = &self.formats;
        let sheet = self.book.add_worksheet();
        sheet.set_name(name).map_err(io)?;
        sheet.set_column_width(0, 14).map_err(io)?;
        sheet.set_column_width(1, 100).map_err(io)?;
        print_setup(sheet, false)?;
        for (row, (label, value)) in lines.iter().enumerate() {
            let row = row as u32;
            let wrapped = (display_width(value) as f64 / 98.0).ceil();
            if wrapped > 1.0 {
                sheet
                    .set_row_height(row, ROW_LINE_PT * wrapped.min(12.0))
                    .map_err(io)?;
            }
            sheet
                .write_string_with_format(row, 0, *label, &f.header)
                .map_err(io)?;
            sheet
                .write_string_with_format(row, 1, value, &f.wrapped)
                .map_err(io)?;
        }
        Ok(())
    }

    /// The workbook as bytes.
    pub fn to_bytes(mut self) -> std::io::Result<Vec<u8>> {
        self.book.save_to_buffer().map_err(io)
    }

    /// Writes the workbook to `path` atomically.
    pub fn save(self, path: &Path) -> std::io::Result<()> {
        let bytes = self.to_bytes()?;
        write_atomic(path, &bytes)
    }
}

/// Writes one table into a sheet: the first rows are held to size the columns, then rows
/// stream to the sheet; past Excel's row limit a second sheet ("name (2)") goes on.
struct SheetWriter<'a> {
    xlsx: &'a mut Xlsx,
    name: String,
    columns: Vec<Column>,
    /// The columns' widths, once the sheet has started.
    widths: Vec<f64>,
    measured: Vec<Vec<Cell>>,
    /// The index of the sheet being written, once started.
    sheet: Option<usize>,
    row: u32,
    part: u32,
}

impl SheetWriter<'_> {
    /// Starts a sheet (the first, or the next part) with its widths and its header row.
    fn start(&mut self) -> std::io::Result<()> {
        self.part += 1;
        let name = if self.part == 1 {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.part)
        };
        let lang = self.xlsx.lang;
        let widths = column_widths(&self.columns, &self.measured, lang);
        let header_lines = widths
            .iter()
            .zip(&self.columns)
            .map(|(w, c)| (display_width(c.header(Some(lang))) as f64 / w).ceil())
            .fold(1.0_f64, f64::max)
            .min(4.0);
        let f = &self.xlsx.formats;
        let sheet = self.xlsx.book.add_worksheet_with_constant_memory();
        sheet.set_name(&name).map_err(io)?;
        for (col, width) in widths.iter().enumerate() {
            sheet.set_column_width(col as u16, *width).map_err(io)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(io)?;
        // Room for two lines of Chinese at least: a header wraps rather than being clipped.
        sheet
            .set_row_height(0, HEADER_LINE_PT * header_lines.max(2.0))
            .map_err(io)?;
        print_setup(sheet, true)?;
        for (col, c) in self.columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, c.header(Some(lang)), &f.header)
                .map_err(io)?;
        }
        self.sheet = Some(self.xlsx.book.worksheets().len() - 1);
        self.widths = widths;
        self.row = 1;
        Ok(())
    }

    fn write(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        if self.sheet.is_none() || self.row == MAX_ROWS {
            self.filter()?;
            self.start()?;
        }
        let index = self.sheet.unwrap_or_default();
        let f = &self.xlsx.formats;
        let sheet = self.xlsx.book.worksheet_from_index(index).map_err(io)?;
        let row = self.row;
        let lang = self.xlsx.lang;
        let mut lines = 1.0_f64;
        for (col, cell) in cells.iter().enumerate() {
            let width = self.widths.get(col).copied().unwrap_or(MAX_WIDTH);
            let col = col as u16;
            let fixed;
            let (number, format) = match cell {
                Cell::Text(s) | Cell::Code(s) if s.is_empty() => continue,
                Cell::Empty => continue,
                // Text wider than its column wraps, in a row tall enough for it.
                Cell::Text(s) if display_width(s) as f64 > width => {
                    lines = lines.max((display_width(s) as f64 / (width - 1.0)).ceil());
                    sheet
                        .write_string_with_format(row, col, s, &f.wrapped)
                        .map_err(io)?;
                    continue;
                }
                Cell::Text(s) => {
                    sheet
                        .write_string_with_format(row, col, s, &f.text)
                        .map_err(io)?;
                    continue;
                }
                Cell::Code(s) => {
                    sheet
                        .write_string_with_format(row, col, s, &f.code)
                        .map_err(io)?;
                    continue;
                }
                Cell::Term(term) => {
                    sheet
                        .write_string_with_format(row, col, term.get(lang), &f.text)
                        .map_err(io)?;
                    continue;
                }
                Cell::Count(n) => (*n as f64, &f.count),
                Cell::Flag(b) => (f64::from(u8::from(*b)), &f.count),
                Cell::Share(x) => (*x, &f.share),
                Cell::Whole(x) => (*x, &f.count),
                Cell::Plain(x) => (*x, &f.plain),
                Cell::Number(x) => (*x, &f.decimal),
                Cell::Fixed(x, 5) => (*x, &f.coordinate),
                Cell::Fixed(x, decimals) => {
                    let zeros = "0".repeat(usize::from(*decimals));
                    fixed = f.text.clone().set_num_format(format!("0.{zeros}"));
                    (*x, &fixed)
                }
            };
            if number.is_finite() {
                sheet
                    .write_number_with_format(row, col, number, format)
                    .map_err(io)?;
            }
        }
        if lines > 1.0 {
            sheet
                .set_row_height(row, ROW_LINE_PT * lines.min(12.0))
                .map_err(io)?;
        }
        self.row += 1;
        Ok(())
    }

    /// Puts a filter on the header row of the sheet being written.
    fn filter(&mut self) -> std::io::Result<()> {
        let Some(index) = self.sheet else {
            return Ok(());
        };
        let last_col = self.columns.len().saturating_sub(1) as u16;
        let last_row = self.row.saturating_sub(1).max(1);
        let sheet = self.xlsx.book.worksheet_from_index(index).map_err(io)?;
        sheet.autofilter(0, 0, last_row, last_col).map_err(io)?;
        Ok(())
    }

    /// Starts the sheet sized by the rows held so far, then writes them.
    fn flush_measured(&mut self) -> std::io::Result<()> {
        if self.sheet.is_none() {
            self.start()?;
        }
        for row in std::mem::take(&mut self.measured) {
            self.write(&row)?;
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        // A table with no rows still gets its sheet and header.
        self.flush_measured()?;
        self.filter()
    }
}

impl TableWriter for SheetWriter<'_> {
    fn header(&mut self, columns: &[Column]) -> std::io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        if self.sheet.is_none() && self.measured.len() < MEASURED_ROWS {
            self.measured.push(cells.to_vec());
            return Ok(());
        }
        self.flush_measured()?;
        self.write(cells)
    }
}

/// How wide a text is in columns of Excel's default font: a CJK character is two.
fn display_width(text: &str) -> usize {
    text.width()
}

/// Column widths from the measured rows, with the header allowed to wrap onto two lines.
fn column_widths(columns: &[Column], rows: &[Vec<Cell>], lang: Lang) -> Vec<f64> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let data = rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|cell| match cell {
                    // Thousands separators and decimals as the formats show them.
                    Cell::Count(n) => n.to_string().len() * 4 / 3,
                    Cell::Number(x) => format!("{x:.2}").len() * 4 / 3,
                    Cell::Share(_) => 6,
                    Cell::Whole(x) => format!("{x:.0}").len() * 4 / 3,
                    Cell::Term(term) => display_width(term.get(lang)),
                    other => display_width(&other.to_text()),
                })
                .max()
                .unwrap_or(0);
            let header = display_width(c.header(Some(lang))).div_ceil(2);
            (data.max(header).max(6) as f64 + 2.0).min(MAX_WIDTH)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_longer_than_a_sheet_goes_on_in_a_second_one() {
        let dataset = crate::Dataset::default();
        let meta = Metadata::made_at(&dataset, [], "2026-11-24T10:00:00+08:00".into());
        let mut book = Xlsx::new(Lang::En, &meta);
        let rows = MAX_ROWS as u64 + 10;
        book.table("Villages", |out| {
            out.header(&[Column::key("n")])?;
            for n in 0..rows {
                out.row(&[Cell::Count(n)])?;
            }
            Ok(())
        })
        .unwrap();
        let bytes = book.to_bytes().unwrap();
        use calamine::Reader;
        let mut read: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(read.sheet_names(), vec!["Villages", "Villages (2)"]);
        let first = read.worksheet_range("Villages").unwrap();
        let second = read.worksheet_range("Villages (2)").unwrap();
        // Each with its header; every row once, in order.
        assert_eq!(first.height() as u32, MAX_ROWS);
        assert_eq!(second.height(), 1 + 11);
        assert_eq!(
            second.get((1, 0)),
            Some(&calamine::Data::Float((MAX_ROWS - 1) as f64))
        );
        assert_eq!(
            second.get((11, 0)),
            Some(&calamine::Data::Float((rows - 1) as f64))
        );
    }

    #[test]
    fn chinese_counts_twice_as_wide() {
        assert_eq!(display_width("ab"), 2);
        assert_eq!(display_width("乡镇"), 4);
        assert_eq!(display_width("（人）"), 6);
    }
}
