//! Every file a run can be handed over as, written into one folder: CSV reports (for scripts),
//! an Excel workbook, GIS layers (GeoJSON, Shapefile), the briefing (HTML) and pictures (PNG).
//! Each file is written atomically; progress is reported per file and a cancel stops between
//! files.

use std::path::{Path, PathBuf};

use crate::error::Message;
use crate::figures::FiguresView;
use crate::lang::Lang;
use crate::map::geometry::MapGeometry;
use crate::model::Dataset;
use crate::progress::{Progress, Step};
use crate::report::folder::{self, FolderError};
use crate::report::meta::Metadata;
use crate::report::run::ReportTable;
use crate::report::svg::{PNG_SCALE, Picture};
use crate::report::{gis, html, layers, svg, write_atomic, write_csv_atomic};
use crate::tr;
use crate::workspace::Analysis;

/// A kind of file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
    Geojson,
    Shp,
    Html,
    Png,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Csv,
        Format::Xlsx,
        Format::Geojson,
        Format::Shp,
        Format::Html,
        Format::Png,
    ];

    /// What the format is, for a menu.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Format::Csv, Lang::Zh) => "CSV 报表（脚本用）",
            (Format::Csv, Lang::En) => "CSV reports (for scripts)",
            (Format::Xlsx, Lang::Zh) => "Excel 工作簿",
            (Format::Xlsx, Lang::En) => "Excel workbook",
            (Format::Geojson, Lang::Zh) => "GeoJSON 图层",
            (Format::Geojson, Lang::En) => "GeoJSON layers",
            (Format::Shp, Lang::Zh) => "Shapefile 图层",
            (Format::Shp, Lang::En) => "Shapefile layers",
            (Format::Html, Lang::Zh) => "简报（HTML）",
            (Format::Html, Lang::En) => "Briefing (HTML)",
            (Format::Png, Lang::Zh) => "地图和图表（PNG）",
            (Format::Png, Lang::En) => "Map and charts (PNG)",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Geojson => "geojson",
            Format::Shp => "shp",
            Format::Html => "html",
            Format::Png => "png",
        }
    }

    /// A comma-separated list (`csv,xlsx,geojson,shp,html,png`, or `all`), in the order
    /// given, without repeats.
    pub fn parse_list(text: &str) -> Result<Vec<Format>, String> {
        let mut formats = Vec::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let word = word.to_lowercase();
            if word == "all" {
                return Ok(Format::ALL.to_vec());
            }
            let format = match word.as_str() {
                "json" => Format::Geojson,
                "shapefile" => Format::Shp,
                "excel" => Format::Xlsx,
                other => Format::ALL
                    .into_iter()
                    .find(|f| f.name() == other)
                    .ok_or_else(|| {
                        format!(
                            "'{other}' is not a format: csv, xlsx, geojson, shp, html, png or all"
                        )
                    })?,
            };
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        if formats.is_empty() {
            return Err("no format given: csv, xlsx, geojson, shp, html, png or all".into());
        }
        Ok(formats)
    }
}

/// What to export and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    pub formats: Vec<Format>,
    /// The language of the workbook, the briefing and the pictures (Chinese by default).
    pub lang: Lang,
    /// CSV headers: the English keys scripts read (`None`), or in a language.
    pub csv_lang: Option<Lang>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            formats: vec![Format::Csv],
            lang: Lang::Zh,
            csv_lang: None,
        }
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("export cancelled; the folder is as it was")]
    Cancelled,
    #[error(
        "{format} files need locations, and this dataset has none (no coordinates or boundaries); nothing was written"
    )]
    NoLocations { format: &'static str },
    #[error(transparent)]
    Folder(#[from] FolderError),
}

impl ExportError {
    /// The error in both languages, naming the folder `dir` of the export.
    pub fn message(&self, dir: &Path) -> Message {
        match self {
            ExportError::Io { path, source } => tr!(
                "cannot write {}: {source}; the folder is as it was",
                "无法写入 {}：{source}；文件夹保持原样",
                path.display()
            ),
            ExportError::Cancelled => tr!(
                "{}: export cancelled; the folder is as it was",
                "{}：导出已取消；文件夹保持原样",
                dir.display()
            ),
            ExportError::NoLocations { format } => tr!(
                "cannot export {format}: GIS files need locations, and this dataset has no coordinates or boundaries; nothing was written",
                "无法导出 {format}：GIS 文件需要位置，而本数据集没有坐标或边界；未写出任何文件"
            ),
            ExportError::Folder(e) => e.message(),
        }
    }
}

/// Refuses, before anything is written, formats the dataset cannot fill: GIS files without
/// locations.
pub fn check_formats(dataset: &Dataset, options: &ExportOptions) -> Result<(), ExportError> {
    if dataset.has_locations() {
        return Ok(());
    }
    match options
        .formats
        .iter()
        .find(|f| matches!(f, Format::Geojson | Format::Shp))
    {
        Some(gis) => Err(ExportError::NoLocations { format: gis.name() }),
        None => Ok(()),
    }
}

/// The files of one run as one report folder `out` (see [`folder`]): refused if `out` is or
/// holds an input folder of the dataset or files other than an earlier run's; written beside
/// it and put in place whole, so an interrupted or failed export leaves `out` as it was.
/// Returns the files written, in order.
pub fn export_run(
    analysis: &Analysis,
    out: &Path,
    options: &ExportOptions,
    geometry: Option<&MapGeometry>,
    meta: &Metadata,
    progress: &Progress,
) -> Result<Vec<PathBuf>, ExportError> {
    check_formats(analysis.dataset(), options)?;
    folder::write_run(out, &analysis.dataset().folders, |stage| {
        export(analysis, stage, options, geometry, meta, progress)
    })
}

/// The files of one run, written into `dir`. `geometry` is the dataset's map geometry where
/// the caller has it (the app), else it is built for the map picture. Returns the files
/// written, in order.
pub fn export(
    analysis: &Analysis,
    dir: &Path,
    options: &ExportOptions,
    geometry: Option<&MapGeometry>,
    meta: &Metadata,
    progress: &Progress,
) -> Result<Vec<PathBuf>, ExportError> {
    check_formats(analysis.dataset(), options)?;
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out = Writer {
        dir,
        written: Vec::new(),
        progress,
        steps: steps(options, analysis),
        done: 0,
    };
    progress.begin(Step::Writing, out.steps);
    let needs_pictures = options
        .formats
        .iter()
        .any(|f| matches!(f, Format::Html | Format::Png));
    let built;
    let geometry = match geometry {
        Some(g) => Some(g),
        None if needs_pictures => {
            built = MapGeometry::new(analysis.dataset());
            Some(&built)
        }
        None => None,
    };
    let figures = needs_pictures.then(|| FiguresView::new(analysis));
    let run = Run {
        analysis,
        options,
        meta,
        pictures: figures.as_ref().zip(geometry),
    };
    for &format in &options.formats {
        match format {
            Format::Csv => run.csv(&mut out)?,
            Format::Xlsx => {
                let report = analysis.report();
                out.file("report.xlsx", |path| {
                    report.xlsx(options.lang, meta)?.save(path)
                })?;
            }
            Format::Geojson => run.geojson(&mut out)?,
            Format::Shp => run.shapefiles(&mut out)?,
            Format::Html => run.briefing(&mut out)?,
            Format::Png => run.pngs(&mut out)?,
        }
    }
    progress.begin(Step::Done, 0);
    Ok(out.written)
}

/// One analysis's files, format by format.
struct Run<'a> {
    analysis: &'a Analysis,
    options: &'a ExportOptions,
    meta: &'a Metadata,
    /// The figures and the map geometry, where pictures are written.
    pictures: Option<(&'a FiguresView, &'a MapGeometry)>,
}

impl Run<'_> {
    /// The CSV reports, the scenario and `about.txt`.
    fn csv(&self, out: &mut Writer) -> Result<(), ExportError> {
        let report = self.analysis.report();
        for which in ReportTable::ALL {
            out.file(&format!("{}.csv", which.name()), |path| {
                write_csv_atomic(path, self.options.csv_lang, |t| report.table(which, t))
            })?;
        }
        out.file("scenario.toml", |path| {
            write_atomic(path, self.analysis.scenario.to_toml().as_bytes())
        })?;
        out.file("about.txt", |path| {
            let mut text = String::new();
            for (label, value) in self.meta.lines(self.options.lang) {
                text += &format!("{label}: {value}\r\n");
            }
            write_atomic(path, text.as_bytes())
        })
    }

    /// The GeoJSON layers.
    fn geojson(&self, out: &mut Writer) -> Result<(), ExportError> {
        let report = self.analysis.report();
        let meta = self.meta;
        out.file("townships-new.geojson", |path| {
            write_atomic(
                path,
                &gis::territories_geojson(&layers::townships(&report), meta),
            )
        })?;
        if let Some(villages) = &layers::villages(&report) {
            out.file("villages-new.geojson", |path| {
                write_atomic(path, &gis::territories_geojson(villages, meta))
            })?;
        }
        out.file("seats.geojson", |path| {
            write_atomic(path, &gis::markers_geojson(&layers::seats(&report), meta))
        })?;
        out.file("stations.geojson", |path| {
            write_atomic(
                path,
                &gis::markers_geojson(&layers::stations(&report), meta),
            )
        })
    }

    /// The Shapefile layers. Without boundaries there are no territories to draw: the
    /// GeoJSON keeps the new units' figures (null geometry), a Shapefile would be empty.
    fn shapefiles(&self, out: &mut Writer) -> Result<(), ExportError> {
        let report = self.analysis.report();
        let (meta, dir) = (self.meta, out.dir);
        let names = LayerNames::new(self.options.lang);
        let townships = layers::townships(&report);
        if townships.iter().any(|t| t.geometry.is_some()) {
            out.file("townships_new.shp", |_| {
                gis::write_territories_shp(dir, "townships_new", &townships, meta, names.townships)
            })?;
        } else {
            out.skip();
        }
        if let Some(villages) = &layers::villages(&report) {
            out.file("villages_new.shp", |_| {
                gis::write_territories_shp(dir, "villages_new", villages, meta, names.villages)
            })?;
        }
        let seats = layers::seats(&report);
        out.file("seats.shp", |_| {
            gis::write_markers_shp(dir, "seats", &seats, meta, names.seats)
        })?;
        let stations = layers::stations(&report);
        out.file("stations.shp", |_| {
            gis::write_markers_shp(dir, "stations", &stations, meta, names.stations)
        })
    }

    /// The briefing.
    fn briefing(&self, out: &mut Writer) -> Result<(), ExportError> {
        let Some((figures, geometry)) = self.pictures else {
            return Ok(());
        };
        out.file("briefing.html", |path| {
            let lang = self.options.lang;
            let page = html::briefing(self.analysis, figures, geometry, self.meta, lang);
            write_atomic(path, page.as_bytes())
        })
    }

    /// The map and every chart as PNG.
    fn pngs(&self, out: &mut Writer) -> Result<(), ExportError> {
        let Some((figures, geometry)) = self.pictures else {
            return Ok(());
        };
        let lang = self.options.lang;
        for picture in Picture::ALL {
            out.file(&format!("{}.png", picture.name()), |path| {
                let drawing = svg::svg(picture, self.analysis, figures, geometry, self.meta, lang);
                let bytes = svg::png(&drawing, PNG_SCALE, &png_notes(self.meta, picture, lang))?;
                write_atomic(path, &bytes)
            })?;
        }
        Ok(())
    }
}

/// The text chunks of an exported picture.
pub fn png_notes(meta: &Metadata, picture: Picture, lang: Lang) -> Vec<(&'static str, String)> {
    let mut notes = vec![
        (
            "Title",
            format!("{} — {}", picture.title(lang), meta.scenario_names()),
        ),
        ("Source", meta.dataset.clone()),
        ("Software", meta.program.clone()),
        ("Creation Time", meta.made_at.clone()),
    ];
    if let Some(note) = meta.modelled_note(lang) {
        notes.push(("Disclaimer", note));
    }
    for s in &meta.scenarios {
        notes.push(("Comment", s.toml.clone()));
    }
    notes
}

/// The titles of the GIS layers.
struct LayerNames {
    townships: &'static str,
    villages: &'static str,
    seats: &'static str,
    stations: &'static str,
}

impl LayerNames {
    fn new(lang: Lang) -> Self {
        match lang {
            Lang::Zh => Self {
                townships: "调整后的乡镇",
                villages: "调整后的建制村",
                seats: "乡镇驻地",
                stations: "便民服务站",
            },
            Lang::En => Self {
                townships: "New townships",
                villages: "New villages",
                seats: "Township seats",
                stations: "Service stations",
            },
        }
    }
}

/// How many files an export writes (its progress steps).
fn steps(options: &ExportOptions, analysis: &Analysis) -> u64 {
    let village_layer = analysis
        .dataset()
        .villages
        .iter()
        .any(|v| v.boundary.is_some());
    options
        .formats
        .iter()
        .map(|f| match f {
            Format::Csv => ReportTable::ALL.len() + 2,
            Format::Xlsx | Format::Html => 1,
            Format::Geojson | Format::Shp => 3 + usize::from(village_layer),
            Format::Png => Picture::ALL.len(),
        } as u64)
        .sum()
}

/// Writes files one by one, counting them and checking for a cancel between them.
struct Writer<'a> {
    dir: &'a Path,
    written: Vec<PathBuf>,
    progress: &'a Progress,
    steps: u64,
    done: u64,
}

impl Writer<'_> {
    /// Counts a file that is not written (nothing to put in it).
    fn skip(&mut self) {
        self.done += 1;
        self.progress.advance(self.done.min(self.steps));
    }

    fn file(
        &mut self,
        name: &str,
        write: impl FnOnce(&Path) -> std::io::Result<()>,
    ) -> Result<(), ExportError> {
        if self.progress.is_cancelled() {
            return Err(ExportError::Cancelled);
        }
        let path = self.dir.join(name);
        write(&path).map_err(|source| ExportError::Io {
            path: path.clone(),
            source,
        })?;
        self.written.push(path);
        self.done += 1;
        self.progress.advance(self.done.min(self.steps));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_lists_parse_in_order_without_repeats() {
        assert_eq!(
            Format::parse_list("xlsx, csv,XLSX,shp").unwrap(),
            vec![Format::Xlsx, Format::Csv, Format::Shp]
        );
        assert_eq!(Format::parse_list("all").unwrap(), Format::ALL.to_vec());
        let e = Format::parse_list("csv,pdf").unwrap_err();
        assert!(e.contains("'pdf'"), "{e}");
        assert!(Format::parse_list(" , ").is_err());
    }
}
