//! Every file a run can be handed over as, written into one folder: CSV reports (for scripts),
//! an Excel workbook, GIS layers (GeoJSON, Shapefile), the briefing (HTML) and pictures (PNG).
//! Each file is written atomically; progress is reported per file and a cancel stops between
//! files.

use std::path::{Path, PathBuf};

use crate::crs::Crs;
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
use crate::report::{gis, gpkg, html, svg, write_atomic, write_csv_atomic};
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
    Gpkg,
    Html,
    Png,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Csv,
        Format::Xlsx,
        Format::Geojson,
        Format::Shp,
        Format::Gpkg,
        Format::Html,
        Format::Png,
    ];

    /// Whether it is a GIS format (needs locations, written in a coordinate system).
    pub fn is_gis(self) -> bool {
        matches!(self, Format::Geojson | Format::Shp | Format::Gpkg)
    }

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
            (Format::Gpkg, Lang::Zh) => "GeoPackage（全部图层一个文件）",
            (Format::Gpkg, Lang::En) => "GeoPackage (every layer in one file)",
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
            Format::Gpkg => "gpkg",
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
                "geopackage" => Format::Gpkg,
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
            return Err("no format given: csv, xlsx, geojson, shp, gpkg, html, png or all".into());
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
    /// The coordinate system of the GIS layers: the dataset's own (`None`, WGS 84 where the
    /// dataset has no boundary files), or one the user chose.
    pub crs: Option<Crs>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            formats: vec![Format::Csv],
            lang: Lang::Zh,
            csv_lang: None,
            crs: None,
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
    #[error("the GIS layers cannot be written in the chosen coordinate system: {}", .0.en)]
    Crs(Message),
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
            ExportError::Crs(message) => Message::new(
                format!(
                    "the GIS layers cannot be written in the chosen coordinate system: {}; nothing was written",
                    message.en
                ),
                format!(
                    "无法以所选坐标系写出 GIS 图层：{}；未写出任何文件",
                    message.zh
                ),
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
    match options.formats.iter().find(|f| f.is_gis()) {
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
        layers: std::cell::OnceCell::new(),
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
            Format::Gpkg => run.geopackage(&mut out)?,
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
    /// The GIS layers and their coordinate system, once a GIS format has built them.
    layers: std::cell::OnceCell<(Crs, Vec<gis::Layer>)>,
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

    /// The plan's GIS layers in the export's coordinate system (built once per run).
    fn layers(&self) -> Result<&(Crs, Vec<gis::Layer>), ExportError> {
        if let Some(built) = self.layers.get() {
            return Ok(built);
        }
        let crs = self.crs();
        let report = self.analysis.report();
        let layers =
            gis::plan_layers(&report, self.options.lang, &crs).map_err(ExportError::Crs)?;
        Ok(self.layers.get_or_init(|| (crs, layers)))
    }

    /// The coordinate system layers are written in: the one chosen, else the dataset's.
    fn crs(&self) -> Crs {
        self.options
            .crs
            .clone()
            .or_else(|| self.analysis.dataset().crs.clone())
            .unwrap_or_else(Crs::wgs84)
    }

    /// The GeoJSON layers (`townships-new.geojson`, `villages-new.geojson`, `seats.geojson`,
    /// `stations.geojson`).
    fn geojson(&self, out: &mut Writer) -> Result<(), ExportError> {
        let (crs, layers) = self.layers()?;
        for layer in layers {
            let file = format!("{}.geojson", layer.name.replace('_', "-"));
            out.file(&file, |path| {
                write_atomic(path, &gis::geojson(layer, crs, self.meta))
            })?;
        }
        Ok(())
    }

    /// The Shapefile layers. Without boundaries there are no territories to draw: the
    /// GeoJSON keeps the new units' figures (null geometry), a Shapefile would be empty. A
    /// point layer is written even when it has no points (a plan without service stations).
    fn shapefiles(&self, out: &mut Writer) -> Result<(), ExportError> {
        let (crs, layers) = self.layers()?;
        let dir = out.dir;
        for layer in layers {
            if !layer.points && !layer.has_geometry() {
                out.skip();
                continue;
            }
            out.file(&format!("{}.shp", layer.name), |_| {
                gis::write_shapefile(dir, layer, crs, self.meta)
            })?;
        }
        Ok(())
    }

    /// Every layer and the metadata in one GeoPackage, `layers.gpkg`.
    fn geopackage(&self, out: &mut Writer) -> Result<(), ExportError> {
        let (crs, layers) = self.layers()?;
        out.file("layers.gpkg", |path| {
            gpkg::write(path, layers, crs, self.meta)
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
                let title = svg::title(picture, figures, lang);
                let bytes = svg::png(&drawing, PNG_SCALE, &png_notes(self.meta, title, lang))?;
                write_atomic(path, &bytes)
            })?;
        }
        Ok(())
    }
}

/// The text chunks of an exported picture.
pub fn png_notes(meta: &Metadata, title: &str, lang: Lang) -> Vec<(&'static str, String)> {
    let mut notes = vec![
        ("Title", format!("{title} — {}", meta.scenario_names())),
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
            Format::Gpkg => 1,
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
