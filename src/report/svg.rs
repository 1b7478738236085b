//! The charts and the map as pictures: SVG (inlined in the briefing) and PNG at presentation
//! quality (rendered with resvg at 2×: 1920 px wide and more), each with its title, legend,
//! scenario, data source and, where it applies, the "modelled data" note. They draw the same
//! view model as the app's charts ([`FiguresView`]), so the figures match.

use std::fmt::Write as _;

use crate::figures::{ChartsView, FiguresView, Histogram, Marker};
use crate::lang::Lang;
use crate::map::colour::{ColourMode, Rgb, colour};
use crate::map::geometry::{Bounds, MapGeometry};
use crate::report::meta::Metadata;
use crate::workspace::Analysis;

/// The embedded CJK font (WenQuanYi Micro Hei, Apache-2.0), subset to the GBK range: the app's
/// and the pictures' text.
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/wqy-microhei-gbk.ttf");
const FONT_FAMILY: &str = "WenQuanYi Micro Hei";
/// The font stack in SVG: the embedded font first, then what a browser has.
const FONTS: &str = "'WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC','Noto Sans CJK SC','Source Han Sans SC',sans-serif";

/// A picture's width in SVG units; PNGs are drawn at [`PNG_SCALE`] times this.
pub const WIDTH: f64 = 960.0;
pub const PNG_SCALE: f32 = 2.0;

const BEFORE: &str = "#78909C";
/// The dashes of the "before" curve, drawn over the others so it shows where they meet.
const BEFORE_DASH: &str = "8 5";
const AFTER: &str = "#E65100";
const STATIONS: &str = "#2E7D32";
const PUBLISHED: &str = "#1565C0";
const INK: &str = "#263238";
const GRID: &str = "#E0E0E0";
const MUTED: &str = "#607D8B";

/// A picture Jianzhi can export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picture {
    Change,
    Area,
    Population,
    Coverage,
    Cities,
    Map,
}

impl Picture {
    pub const ALL: [Picture; 6] = [
        Picture::Map,
        Picture::Change,
        Picture::Area,
        Picture::Population,
        Picture::Coverage,
        Picture::Cities,
    ];

    /// The file name without extension.
    pub fn name(self) -> &'static str {
        match self {
            Picture::Change => "chart-change",
            Picture::Area => "chart-area",
            Picture::Population => "chart-population",
            Picture::Coverage => "chart-coverage",
            Picture::Cities => "chart-cities",
            Picture::Map => "map",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Picture::Change => (
                "调整前后变化（%）与四川公布数（◆）",
                "Change before → after (%) with Sichuan's published figures (◆)",
            ),
            Picture::Area => (
                "乡镇面积分布：调整前与调整后",
                "Township area: before and after",
            ),
            Picture::Population => (
                "乡镇户籍人口分布：调整前与调整后",
                "Township registered population: before and after",
            ),
            Picture::Coverage => (
                "服务覆盖：距驻地 x 公里内的常住人口比例",
                "Service coverage: share of residents within x km of their seat",
            ),
            Picture::Cities => (
                "各市州乡镇与建制村减少比例（%）",
                "Cut by city: townships and villages (%)",
            ),
            Picture::Map => ("调整后的乡镇", "Townships after the plan"),
        };
        pick(lang, zh, en)
    }
}

/// A picture's title for these figures: the change chart promises Sichuan's published
/// figures only where it draws them (on Sichuan's data), the cut chart is by province where
/// there are several.
pub fn title(picture: Picture, figures: &FiguresView, lang: Lang) -> &'static str {
    let charts = figures.charts.as_ref();
    match picture {
        Picture::Cities if charts.is_some_and(|c| c.by_province) => pick(
            lang,
            "各省乡镇与建制村减少比例（%）",
            "Cut by province: townships and villages (%)",
        ),
        Picture::Change if !charts.is_some_and(|c| c.change.iter().any(|x| x.2.is_some())) => {
            pick(lang, "调整前后变化（%）", "Change before → after (%)")
        }
        _ => picture.title(lang),
    }
}

/// `zh` or `en` as `lang` says.
pub(crate) fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Escapes text for SVG and HTML.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A picture as SVG. The map needs the dataset's geometry.
pub fn svg(
    picture: Picture,
    analysis: &Analysis,
    figures: &FiguresView,
    geometry: &MapGeometry,
    meta: &Metadata,
    lang: Lang,
) -> String {
    let charts = figures.charts.as_ref();
    let mut page = Page::new(title(picture, figures, lang), meta, lang);
    match (picture, charts) {
        (Picture::Map, _) => map(&mut page, analysis, geometry, lang),
        (Picture::Change, Some(c)) => change(&mut page, c, lang),
        (Picture::Area, Some(c)) => histogram(&mut page, &c.area, lang, "km²"),
        (Picture::Population, Some(c)) => {
            histogram(&mut page, &c.population, lang, pick(lang, "人", "people"))
        }
        (Picture::Coverage, Some(c)) => coverage(&mut page, c, lang),
        (Picture::Cities, Some(c)) => cities(&mut page, c, lang),
        (_, None) => {}
    }
    page.finish()
}

/// A picture being drawn: a title line, the scenario, a plot area and a footer with the data
/// source and the "modelled data" note.
struct Page {
    body: String,
    height: f64,
    header: String,
    footer: Vec<String>,
    /// The plot area: left, top, right, bottom.
    plot: [f64; 4],
}

impl Page {
    fn new(title: &str, meta: &Metadata, lang: Lang) -> Self {
        let mut header = String::new();
        let _ = write!(
            header,
            r#"<text x="24" y="38" font-size="22" font-weight="bold" fill="{INK}">{}</text><text x="24" y="64" font-size="14" fill="{MUTED}">{}：{}</text>"#,
            esc(title),
            pick(lang, "方案", "Scenario"),
            esc(&meta.scenario_names())
        );
        let mut footer = vec![format!("{}：{}", pick(lang, "数据", "Data"), meta.dataset)];
        if let Some(note) = meta.modelled_note(lang) {
            footer.push(format!("＊{note}"));
        }
        footer.push(format!("{} · {}", meta.program, meta.made_at));
        Self {
            body: String::new(),
            height: 600.0,
            header,
            footer,
            plot: [90.0, 96.0, WIDTH - 40.0, 600.0 - 110.0],
        }
    }

    fn finish(self) -> String {
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONTS}"><rect width="100%" height="100%" fill="white"/>"#,
            w = WIDTH,
            h = self.height
        );
        svg += &self.header;
        svg += &self.body;
        let lines = self.footer.len() as f64;
        for (i, line) in self.footer.iter().enumerate() {
            let y = self.height - 14.0 - (lines - 1.0 - i as f64) * 17.0;
            let _ = write!(
                svg,
                r#"<text x="24" y="{y}" font-size="12" fill="{MUTED}">{}</text>"#,
                esc(line)
            );
        }
        svg += "</svg>";
        svg
    }

    fn x_of(&self, t: f64) -> f64 {
        self.plot[0] + t * (self.plot[2] - self.plot[0])
    }

    /// Two bars side by side in the band of width `band` from `left`: each a share of the
    /// axis's height, the first `inset` of the band in, each `width` of the band wide.
    fn bar_pair(&mut self, left: f64, band: f64, bars: [(f64, &str); 2], inset: f64, width: f64) {
        for (i, (share, fill)) in bars.into_iter().enumerate() {
            let y = self.y_of(share);
            let _ = write!(
                self.body,
                r#"<rect x="{}" y="{y}" width="{}" height="{}" fill="{fill}"/>"#,
                left + band * (inset + width * i as f64),
                band * width,
                self.plot[3] - y
            );
        }
    }

    fn y_of(&self, t: f64) -> f64 {
        self.plot[3] - t * (self.plot[3] - self.plot[1])
    }

    /// A legend row at the top right of the plot.
    fn legend(&mut self, entries: &[(&str, &str, Mark)]) {
        let mut x = self.plot[2];
        for (label, colour, mark) in entries.iter().rev() {
            let swatch = if matches!(mark, Mark::Line(_)) {
                24.0
            } else {
                14.0
            };
            let w = text_width(label, 13.0) + swatch + 16.0;
            x -= w;
            let _ = match mark {
                Mark::Box => write!(
                    self.body,
                    r#"<rect x="{x}" y="74" width="14" height="14" fill="{colour}"/>"#
                ),
                Mark::Line(dash) => write!(
                    self.body,
                    r#"<line x1="{x}" x2="{}" y1="81" y2="81" stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/>"#,
                    x + swatch
                ),
                Mark::Dot => write!(
                    self.body,
                    r#"<circle cx="{}" cy="81" r="3" fill="{colour}"/>"#,
                    x + 7.0
                ),
                Mark::Diamond => write!(
                    self.body,
                    r#"<path d="M{} 74 l7 7 l-7 7 l-7 -7 z" fill="{colour}"/>"#,
                    x + 7.0
                ),
                Mark::Outline => write!(
                    self.body,
                    r##"<rect x="{x}" y="74" width="14" height="14" fill="#BBBBBB" stroke="{colour}" stroke-width="2"/>"##
                ),
            };
            let _ = write!(
                self.body,
                r#"<text x="{}" y="86" font-size="13" fill="{INK}">{}</text>"#,
                x + swatch + 5.0,
                esc(label)
            );
        }
    }

    /// Horizontal grid lines with labels at `ticks` on a value axis from `lo` to `hi`.
    fn y_axis(&mut self, lo: f64, hi: f64, ticks: &[f64], unit: &str) {
        for &t in ticks {
            let y = self.y_of((t - lo) / (hi - lo));
            let _ = write!(
                self.body,
                r#"<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{GRID}"/><text x="{}" y="{}" font-size="12" text-anchor="end" fill="{INK}">{}</text>"#,
                self.plot[0],
                self.plot[2],
                self.plot[0] - 6.0,
                y + 4.0,
                axis_number(t)
            );
        }
        if !unit.is_empty() {
            let _ = write!(
                self.body,
                r#"<text x="{}" y="{}" font-size="12" fill="{MUTED}">{}</text>"#,
                self.plot[0] - 6.0,
                self.plot[1] - 8.0,
                esc(unit)
            );
        }
    }
}

impl Page {
    /// Vertical grid lines and percentage labels for a horizontal value axis from `lo` to `hi`;
    /// returns where a value lies.
    fn percent_axis_x(&mut self, lo: f64, hi: f64) -> impl Fn(f64) -> f64 + use<> {
        let (left, right) = (self.plot[0], self.plot[2]);
        let x = move |v: f64| left + (v - lo) / (hi - lo) * (right - left);
        for t in ticks(lo, hi, 8) {
            let at = x(t);
            let _ = write!(
                self.body,
                r#"<line x1="{at}" x2="{at}" y1="{}" y2="{}" stroke="{GRID}"/><text x="{at}" y="{}" font-size="12" text-anchor="middle" fill="{INK}">{}%</text>"#,
                self.plot[1],
                self.plot[3],
                self.plot[3] + 18.0,
                axis_number(t)
            );
        }
        x
    }

    /// The axes of a coverage chart: share of residents (%) against distance (km).
    fn coverage_axes(&mut self, max_km: f64, lang: Lang) {
        self.y_axis(0.0, 100.0, &ticks(0.0, 100.0, 5), "%");
        for t in ticks(0.0, max_km, 10) {
            let at = self.x_of(t / max_km);
            let _ = write!(
                self.body,
                r#"<text x="{at}" y="{}" font-size="12" text-anchor="middle" fill="{INK}">{}</text>"#,
                self.plot[3] + 18.0,
                axis_number(t)
            );
        }
        let _ = write!(
            self.body,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="{MUTED}">{}</text>"#,
            self.plot[2],
            self.plot[3] + 36.0,
            pick(lang, "公里", "km")
        );
    }

    /// A coverage curve up to `max_km`, dashed if `dash` says how.
    fn coverage_curve(&mut self, curve: &[[f64; 2]], max_km: f64, colour: &str, dash: &str) {
        let mut d = String::new();
        for (i, [km, share]) in up_to(curve, max_km).enumerate() {
            let _ = write!(
                d,
                "{}{:.1} {:.1}",
                if i == 0 { "M" } else { " L" },
                self.x_of(km / max_km),
                self.y_of(share / 100.0)
            );
        }
        let _ = write!(
            self.body,
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/>"#
        );
    }
}

/// The range of a change chart's axis: every value and zero, at least ±10%, with a margin.
fn change_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    let lo = values.iter().copied().fold(0.0, f64::min).min(-10.0) * 1.1;
    let hi = values.iter().copied().fold(0.0, f64::max).max(10.0) * 1.1;
    (lo, hi)
}

/// How a legend entry shows its mark: a filled box (bars, areas), a line with its dashes
/// (curves), a dot (points), a diamond (published figures), an outline (boundaries).
#[derive(Debug, Clone, Copy)]
enum Mark {
    Box,
    Line(&'static str),
    Dot,
    Diamond,
    Outline,
}

/// About how wide a text is at `size` (CJK characters square, others about half).
fn text_width(text: &str, size: f64) -> f64 {
    use unicode_width::UnicodeWidthStr;
    text.width() as f64 * size * 0.55
}

/// A number on an axis: thousands as `k` with the decimal a half-thousand step needs (7.5k,
/// 15k, 22.5k), smaller numbers whole or to one decimal.
fn axis_number(x: f64) -> String {
    let trimmed = |v: f64| {
        let text = format!("{v:.1}");
        text.strip_suffix(".0").map_or(text.clone(), str::to_string)
    };
    if x.abs() >= 1000.0 {
        format!("{}k", trimmed(x / 1000.0))
    } else {
        trimmed(x)
    }
}

/// Round tick values covering `lo..hi`, about `n` of them.
fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / n as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The change of each reform figure, as horizontal bars, with Sichuan's published change.
fn change(page: &mut Page, c: &ChartsView, lang: Lang) {
    page.plot[0] = 230.0;
    let (lo, hi) = change_range(c.change.iter().flat_map(|(_, v, p)| [*v, p.unwrap_or(0.0)]));
    let x = page.percent_axis_x(lo, hi);
    let zero = x(0.0);
    let rows = c.change.len().max(1) as f64;
    let band = (page.plot[3] - page.plot[1]) / rows;
    for (i, (metric, value, published)) in c.change.iter().enumerate() {
        let top = page.plot[1] + i as f64 * band;
        let mid = top + band / 2.0;
        let _ = write!(
            page.body,
            r#"<text x="{}" y="{}" font-size="14" text-anchor="end" fill="{INK}">{}</text>"#,
            page.plot[0] - 10.0,
            mid + 5.0,
            esc(metric.short_label(lang))
        );
        if value.is_finite() {
            let end = x(*value);
            let (left, width) = (zero.min(end), (end - zero).abs());
            let fill = if *value < 0.0 { AFTER } else { STATIONS };
            // The value inside the bar by the zero line, clear of the names and the diamonds.
            let (at, anchor) = if *value < 0.0 {
                (zero - 8.0, "end")
            } else {
                (zero + 8.0, "start")
            };
            let ink = if width > 70.0 { "white" } else { INK };
            let _ = write!(
                page.body,
                r#"<rect x="{left}" y="{}" width="{width}" height="{}" fill="{fill}"/><text x="{at}" y="{}" font-size="14" font-weight="bold" text-anchor="{anchor}" fill="{ink}">{:+.1}%</text>"#,
                top + band * 0.22,
                band * 0.56,
                mid + 5.0,
                value
            );
        }
        if let Some(p) = published {
            let at = x(*p);
            let _ = write!(
                page.body,
                r#"<path d="M{at} {} l7 7 l-7 7 l-7 -7 z" fill="{PUBLISHED}"/>"#,
                mid - 7.0
            );
        }
    }
    let _ = write!(
        page.body,
        r#"<line x1="{zero}" x2="{zero}" y1="{}" y2="{}" stroke="{INK}"/>"#,
        page.plot[1], page.plot[3]
    );
    let mut legend = vec![
        (
            pick(lang, "减少（模拟）", "Down (modelled)"),
            AFTER,
            Mark::Box,
        ),
        (
            pick(lang, "增加（模拟）", "Up (modelled)"),
            STATIONS,
            Mark::Box,
        ),
    ];
    if c.change.iter().any(|(_, _, p)| p.is_some()) {
        legend.push((
            pick(lang, "四川公布", "Sichuan published"),
            PUBLISHED,
            Mark::Diamond,
        ));
    }
    page.legend(&legend);
}

/// Before and after counts per bin, side by side, with the scenario's thresholds and caps.
fn histogram(page: &mut Page, h: &Histogram, lang: Lang, unit: &str) {
    let bins = h.before.len().max(1);
    let top = h
        .before
        .iter()
        .chain(&h.after)
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let hi = top * 1.08;
    page.y_axis(
        0.0,
        hi,
        &ticks(0.0, hi, 6),
        pick(lang, "乡镇数", "townships"),
    );
    let band = (page.plot[2] - page.plot[0]) / bins as f64;
    for (k, (b, a)) in h.before.iter().zip(&h.after).enumerate() {
        let left = page.plot[0] + k as f64 * band;
        let bars = [(*b as f64 / hi, BEFORE), (*a as f64 / hi, AFTER)];
        page.bar_pair(left, band, bars, 0.1, 0.4);
    }
    let step = (bins / 8).max(1);
    for k in (0..bins).step_by(step) {
        let at = page.plot[0] + k as f64 * band;
        let _ = write!(
            page.body,
            r#"<text x="{at}" y="{}" font-size="12" text-anchor="middle" fill="{INK}">{}</text>"#,
            page.plot[3] + 18.0,
            axis_number(h.bin * k as f64)
        );
    }
    // The last bin holds everything beyond its start.
    let _ = write!(
        page.body,
        r#"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{INK}">≥{}</text>"#,
        page.plot[2] - band / 2.0,
        page.plot[3] + 18.0,
        axis_number(h.bin * (bins - 1) as f64)
    );
    let _ = write!(
        page.body,
        r#"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="{MUTED}">{}</text>"#,
        page.plot[2],
        page.plot[3] + 36.0,
        esc(unit)
    );
    for (marker, value) in &h.markers {
        let at = page.plot[0] + (value / h.bin).min(bins as f64) * band;
        let label = match marker {
            Marker::MinArea => pick(lang, "面积门槛", "area threshold"),
            Marker::MaxArea => pick(lang, "面积上限", "area cap"),
            Marker::MinRegistered => pick(lang, "人口门槛", "population threshold"),
        };
        let _ = write!(
            page.body,
            r##"<line x1="{at}" x2="{at}" y1="{}" y2="{}" stroke="{PUBLISHED}" stroke-width="2" stroke-dasharray="6 4"/><text x="{}" y="{}" font-size="12" fill="{PUBLISHED}">{} {}</text>"##,
            page.plot[1],
            page.plot[3],
            at + 5.0,
            page.plot[1] + 14.0,
            esc(label),
            axis_number(*value)
        );
    }
    page.legend(&[
        (pick(lang, "调整前", "Before"), BEFORE, Mark::Box),
        (pick(lang, "调整后", "After"), AFTER, Mark::Box),
    ]);
}

/// The distance axis of coverage curves: to where every curve has reached 99.5% (at least
/// 15 km), so the rise fills the chart rather than a long flat tail.
fn coverage_km<'a>(curves: impl IntoIterator<Item = &'a Vec<[f64; 2]>>) -> f64 {
    curves
        .into_iter()
        .map(|curve| {
            curve
                .iter()
                .find(|p| p[1] >= 99.5)
                .or(curve.last())
                .map_or(30.0, |p| p[0])
        })
        .fold(15.0, f64::max)
}

/// Points of a curve up to `max_km`.
fn up_to(curve: &[[f64; 2]], max_km: f64) -> impl Iterator<Item = &[f64; 2]> {
    curve.iter().take_while(move |p| p[0] <= max_km)
}

/// The share of residents within each distance: before, after, after with stations.
fn coverage(page: &mut Page, c: &ChartsView, lang: Lang) {
    let max_km = coverage_km(&c.coverage);
    page.coverage_axes(max_km, lang);
    // The curves after first, then the one before dashed on top: where a plan changes
    // little, the curves lie on one another and the before one must still show.
    for (curve, colour) in c.coverage.iter().zip([BEFORE, AFTER, STATIONS]).skip(1) {
        page.coverage_curve(curve, max_km, colour, "none");
    }
    if let Some(before) = c.coverage.first() {
        page.coverage_curve(before, max_km, BEFORE, BEFORE_DASH);
    }
    let at = page.x_of((c.radius_km / max_km).min(1.0));
    let _ = write!(
        page.body,
        r#"<line x1="{at}" x2="{at}" y1="{}" y2="{}" stroke="{INK}" stroke-dasharray="6 4"/><text x="{}" y="{}" font-size="12" fill="{INK}">{} {} km</text>"#,
        page.plot[1],
        page.plot[3],
        at + 5.0,
        page.plot[3] - 8.0,
        pick(lang, "服务半径", "service radius"),
        axis_number(c.radius_km)
    );
    page.legend(&[
        (
            pick(lang, "调整前", "Before"),
            BEFORE,
            Mark::Line(BEFORE_DASH),
        ),
        (pick(lang, "调整后", "After"), AFTER, Mark::Line("none")),
        (
            pick(lang, "调整后（含服务站）", "After, with stations"),
            STATIONS,
            Mark::Line("none"),
        ),
    ]);
}

/// The cut in each city, townships and villages side by side.
fn cities(page: &mut Page, c: &ChartsView, lang: Lang) {
    page.plot[3] -= 10.0;
    let hi = c
        .cities
        .iter()
        .flat_map(|x| [x.townships_pct, x.villages_pct])
        .fold(10.0, f64::max)
        * 1.1;
    page.y_axis(0.0, hi, &ticks(0.0, hi, 6), "%");
    let band = (page.plot[2] - page.plot[0]) / c.cities.len().max(1) as f64;
    for (k, city) in c.cities.iter().enumerate() {
        let left = page.plot[0] + k as f64 * band;
        let bars = [
            (city.townships_pct.max(0.0) / hi, AFTER),
            (city.villages_pct.max(0.0) / hi, PUBLISHED),
        ];
        page.bar_pair(left, band, bars, 0.12, 0.38);
        let _ = write!(
            page.body,
            r#"<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="{INK}">{}</text>"#,
            left + band / 2.0,
            page.plot[3] + 18.0,
            esc(&city.name)
        );
    }
    page.legend(&[
        (pick(lang, "乡镇", "Townships"), AFTER, Mark::Box),
        (pick(lang, "建制村", "Villages"), PUBLISHED, Mark::Box),
    ]);
}

fn hex(c: Rgb) -> String {
    format!("#{:02X}{:02X}{:02X}", c[0], c[1], c[2])
}

/// The new townships in their group colours (no two neighbours alike), county outlines and
/// the kept seats.
fn map(page: &mut Page, analysis: &Analysis, geometry: &MapGeometry, lang: Lang) {
    page.height = 900.0;
    if !analysis.dataset().has_locations() {
        let _ = write!(
            page.body,
            r#"<text x="{}" y="{}" font-size="20" fill="{INK}" text-anchor="middle">{}</text>"#,
            WIDTH / 2.0,
            page.height / 2.0,
            pick(
                lang,
                "没有位置（坐标或边界），无法绘制地图",
                "No locations (coordinates or boundaries): no map to draw"
            )
        );
        return;
    }
    let area = [24.0, 84.0, WIDTH - 24.0, page.height - 80.0];
    let b: Bounds = geometry.bounds;
    let scale = ((area[2] - area[0]) / f64::from(b.width()))
        .min((area[3] - area[1]) / f64::from(b.height()))
        * 0.98;
    let ox = (area[0] + area[2]) / 2.0 - f64::from(b.centre()[0]) * scale;
    let oy = (area[1] + area[3]) / 2.0 + f64::from(b.centre()[1]) * scale;
    let at = |p: [f32; 2]| (ox + f64::from(p[0]) * scale, oy - f64::from(p[1]) * scale);
    // Within half a pixel of the PNG, at 2×.
    let tolerance = (0.25 / scale) as f32;
    let path = |rings: &[Vec<[f32; 2]>]| {
        let mut d = String::new();
        for ring in crate::map::geometry::simplify(rings, tolerance) {
            for (i, p) in ring.iter().enumerate() {
                let (x, y) = at(*p);
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        d
    };
    let body = map_body(analysis, geometry, scale, &at, &path);
    page.body += &body;
    scale_bar(page, area, f64::from(b.width()), scale);
    let after = analysis.after.province.townships.count;
    let before = analysis.before().province.townships.count;
    page.legend(&[
        (
            &format!(
                "{} {before} → {after}",
                pick(
                    lang,
                    "乡镇（颜色区分新乡镇）",
                    "Townships (colour: new unit)"
                )
            ),
            "#4477AA",
            Mark::Box,
        ),
        (pick(lang, "乡镇驻地", "Seats"), INK, Mark::Dot),
        (pick(lang, "县界", "County borders"), "white", Mark::Outline),
    ]);
}

/// A shape's rings on the map plane.
type Rings = [Vec<[f32; 2]>];

/// The map's territories (coloured by new unit), county outlines and seats, drawn at `scale`
/// px a km through `at`; `path` draws rings.
fn map_body(
    analysis: &Analysis,
    geometry: &MapGeometry,
    scale: f64,
    at: &dyn Fn([f32; 2]) -> (f64, f64),
    path: &dyn Fn(&Rings) -> String,
) -> String {
    let colours = colour(analysis, ColourMode::Group, true, false);
    let mut body = String::from(r#"<g stroke-linejoin="round">"#);
    for (t, shape) in geometry.townships.iter_enumerated() {
        if shape.rings.is_empty() {
            continue;
        }
        let fill = hex(colours.townships[t]);
        let _ = write!(
            body,
            r#"<path d="{}" fill="{fill}" stroke="{fill}" stroke-width="0.6" fill-rule="evenodd"/>"#,
            path(&shape.rings)
        );
    }
    for county in &geometry.counties {
        let _ = write!(
            body,
            r#"<path d="{}" fill="none" stroke="white" stroke-width="1.2"/>"#,
            path(county.rings_at(scale as f32))
        );
    }
    let ds = analysis.dataset();
    for unit in analysis.plan.townships.units.iter() {
        let (x, y) = at(geometry.project(ds.townships[unit.seat].seat));
        let _ = write!(
            body,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="1.1" fill="{INK}"/>"#
        );
    }
    body += "</g>";
    body
}

/// A scale bar of a round length (1, 2 or 5 × 10ⁿ km), at most a sixth of the map's `width_km`,
/// in the lower left of `area` drawn at `scale` px a km.
fn scale_bar(page: &mut Page, area: [f64; 4], width_km: f64, scale: f64) {
    let longest = (width_km / 6.0).max(1.0);
    let magnitude = 10f64.powf(longest.log10().floor());
    let km = [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|km| *km <= longest)
        .unwrap_or(magnitude);
    let (x0, y0) = (area[0] + 10.0, area[3] - 10.0);
    let _ = write!(
        page.body,
        r#"<rect x="{x0}" y="{}" width="{}" height="6" fill="{INK}"/><text x="{x0}" y="{}" font-size="13" fill="{INK}">{} km</text>"#,
        y0 - 6.0,
        km * scale,
        y0 - 12.0,
        axis_number(km)
    );
}

/// The colours of the scenarios in a comparison (Paul Tol's bright scheme).
const SCENARIOS: [&str; 6] = [
    "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377",
];

/// A chart of several scenarios overlaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Change,
    Coverage,
    Cities,
}

impl Overlay {
    pub const ALL: [Overlay; 3] = [Overlay::Change, Overlay::Coverage, Overlay::Cities];

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Overlay::Change => pick(
                lang,
                "各方案调整前后变化（%）",
                "Change before → after (%) by scenario",
            ),
            Overlay::Coverage => pick(
                lang,
                "服务覆盖：各方案调整后距驻地 x 公里内的常住人口比例",
                "Service coverage after each scenario: share of residents within x km",
            ),
            Overlay::Cities => pick(
                lang,
                "各市州乡镇减少比例（%），按方案",
                "Townships cut by city (%), by scenario",
            ),
        }
    }
}

/// Several scenarios' charts overlaid, each scenario in its colour.
pub fn overlay(
    chart: Overlay,
    views: &[&FiguresView],
    names: &[String],
    meta: &Metadata,
    lang: Lang,
) -> String {
    let charts: Vec<&ChartsView> = views.iter().filter_map(|v| v.charts.as_ref()).collect();
    let title = match chart {
        Overlay::Cities if charts.first().is_some_and(|c| c.by_province) => pick(
            lang,
            "各省乡镇减少比例（%），按方案",
            "Townships cut by province (%), by scenario",
        ),
        _ => chart.title(lang),
    };
    let mut page = Page::new(title, meta, lang);
    if charts.len() != views.len() || charts.is_empty() {
        return page.finish();
    }
    let colour = |i: usize| SCENARIOS[i % SCENARIOS.len()];
    let swatch = if chart == Overlay::Coverage {
        Mark::Line("none")
    } else {
        Mark::Box
    };
    let legend: Vec<(&str, &str, Mark)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), colour(i), swatch))
        .collect();
    match chart {
        Overlay::Change => overlay_change(&mut page, &charts, colour, lang),
        Overlay::Coverage => {
            let max_km = coverage_km(charts.iter().flat_map(|c| &c.coverage));
            page.coverage_axes(max_km, lang);
            for (i, c) in charts.iter().enumerate() {
                page.coverage_curve(&c.coverage[1], max_km, colour(i), "none");
            }
            page.coverage_curve(&charts[0].coverage[0], max_km, BEFORE, BEFORE_DASH);
        }
        Overlay::Cities => overlay_cities(&mut page, &charts, colour),
    }
    let mut entries = legend;
    if chart == Overlay::Coverage {
        entries.insert(
            0,
            (
                pick(lang, "调整前", "Before"),
                BEFORE,
                Mark::Line(BEFORE_DASH),
            ),
        );
    }
    page.legend(&entries);
    page.finish()
}

/// The change chart, one bar per scenario in each metric's band.
fn overlay_change(
    page: &mut Page,
    charts: &[&ChartsView],
    colour: impl Fn(usize) -> &'static str,
    lang: Lang,
) {
    page.plot[0] = 230.0;
    let (lo, hi) = change_range(charts.iter().flat_map(|c| c.change.iter().map(|x| x.1)));
    let x = page.percent_axis_x(lo, hi);
    let zero = x(0.0);
    let rows = charts[0].change.len().max(1);
    let band = (page.plot[3] - page.plot[1]) / rows as f64;
    let bar = band * 0.8 / charts.len() as f64;
    for (k, (metric, _, _)) in charts[0].change.iter().enumerate() {
        let top = page.plot[1] + k as f64 * band;
        let _ = write!(
            page.body,
            r#"<text x="{}" y="{}" font-size="14" text-anchor="end" fill="{INK}">{}</text>"#,
            page.plot[0] - 10.0,
            top + band / 2.0 + 5.0,
            esc(metric.short_label(lang))
        );
        for (i, c) in charts.iter().enumerate() {
            let value = c.change.get(k).map_or(f64::NAN, |x| x.1);
            if !value.is_finite() {
                continue;
            }
            let end = x(value);
            let y = top + band * 0.1 + i as f64 * bar;
            let _ = write!(
                page.body,
                r#"<rect x="{}" y="{y}" width="{}" height="{}" fill="{}"/><text x="{}" y="{}" font-size="11" text-anchor="{}" fill="{INK}">{:+.1}</text>"#,
                zero.min(end),
                (end - zero).abs(),
                bar * 0.9,
                colour(i),
                if value < 0.0 { end - 4.0 } else { end + 4.0 },
                y + bar * 0.7,
                if value < 0.0 { "end" } else { "start" },
                value
            );
        }
    }
    let _ = write!(
        page.body,
        r#"<line x1="{zero}" x2="{zero}" y1="{}" y2="{}" stroke="{INK}"/>"#,
        page.plot[1], page.plot[3]
    );
}

/// The cut by city, one bar per scenario in each city's band.
fn overlay_cities(page: &mut Page, charts: &[&ChartsView], colour: impl Fn(usize) -> &'static str) {
    page.plot[3] -= 10.0;
    let hi = charts
        .iter()
        .flat_map(|c| c.cities.iter().map(|x| x.townships_pct))
        .fold(10.0, f64::max)
        * 1.1;
    page.y_axis(0.0, hi, &ticks(0.0, hi, 6), "%");
    let cities = charts[0].cities.len().max(1);
    let band = (page.plot[2] - page.plot[0]) / cities as f64;
    let bar = band * 0.8 / charts.len() as f64;
    for (k, city) in charts[0].cities.iter().enumerate() {
        let left = page.plot[0] + k as f64 * band;
        for (i, c) in charts.iter().enumerate() {
            let v = c.cities.get(k).map_or(0.0, |x| x.townships_pct.max(0.0));
            let y = page.y_of(v / hi);
            let _ = write!(
                page.body,
                r#"<rect x="{}" y="{y}" width="{}" height="{}" fill="{}"/>"#,
                left + band * 0.1 + i as f64 * bar,
                bar * 0.9,
                page.plot[3] - y,
                colour(i)
            );
        }
        let _ = write!(
            page.body,
            r#"<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="{INK}">{}</text>"#,
            left + band / 2.0,
            page.plot[3] + 18.0,
            esc(&city.name)
        );
    }
}

/// Renders SVG to PNG at `scale` with the embedded font; `notes` go into the PNG as text
/// chunks (Title, Source, Software, Creation Time…), which image viewers show as properties.
pub fn png(svg: &str, scale: f32, notes: &[(&str, String)]) -> std::io::Result<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| std::io::Error::other(format!("picture: {e}"));
    // The embedded font, parsed once for every picture this process draws.
    static FONTS: std::sync::OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> =
        std::sync::OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(CJK_FONT.to_vec());
        std::sync::Arc::new(db)
    });
    let options = resvg::usvg::Options {
        font_family: FONT_FAMILY.to_string(),
        fontdb: fonts.clone(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| failed(&e))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| failed(&"empty size"))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| failed(&"too large"))?;
    // Pictures have an opaque white background, so premultiplied and straight RGBA agree.
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, size.width(), size.height());
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Balanced);
        for (keyword, text) in notes {
            encoder
                .add_itxt_chunk((*keyword).to_string(), text.clone())
                .map_err(|e| failed(&e))?;
        }
        let mut writer = encoder.write_header().map_err(|e| failed(&e))?;
        writer
            .write_image_data(pixmap.data())
            .map_err(|e| failed(&e))?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn axis_numbers_keep_their_half_thousands() {
        let labels: Vec<String> = [0.0, 7500.0, 15000.0, 22500.0, 30000.0, 37500.0]
            .iter()
            .map(|&x| axis_number(x))
            .collect();
        assert_eq!(labels, ["0", "7.5k", "15k", "22.5k", "30k", "37.5k"]);
        assert_eq!(axis_number(400.0), "400");
        assert_eq!(axis_number(2.5), "2.5");
        assert_eq!(axis_number(1000.0), "1k");
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(
            ticks(-45.0, 70.0, 8),
            vec![-40.0, -20.0, 0.0, 20.0, 40.0, 60.0]
        );
    }

    #[test]
    fn metric_labels_are_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        // Every reform metric has a short label to show.
        assert!(
            Metric::REFORM
                .iter()
                .all(|m| !m.short_label(Lang::Zh).is_empty())
        );
    }
}
