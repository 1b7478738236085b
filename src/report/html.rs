//! The briefing: one self-contained HTML file (no network: charts as inline SVG, styles
//! inline) with the key figures, the map and charts, the county table, the hand edits, the
//! scenario's parameters and the sources; it prints on A4.

use std::fmt::Write as _;

use crate::figures::FiguresView;
use crate::lang::Lang;
use crate::map::geometry::MapGeometry;
use crate::metrics::{Unit, change_pct};
use crate::plan::{EditStatus, Outcome};
use crate::report::meta::Metadata;
use crate::report::parameters;
use crate::report::svg::{Picture, esc, svg};
use crate::workspace::Analysis;

const STYLE: &str = r#"
:root { --ink: #263238; --muted: #607D8B; --line: #CFD8DC; --accent: #E65100; }
* { box-sizing: border-box; }
body { font-family: 'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1000px; padding: 24px; line-height: 1.5; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 12px; }
.badge { display: inline-block; background: #FFF3E0; color: #BF360C; border: 1px solid #FFB74D;
         border-radius: 4px; padding: 2px 8px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right; }
th { background: #ECEFF1; font-weight: 600; }
th:first-child, td:first-child, td.text { text-align: left; }
td.down { color: #BF360C; } td.up { color: #2E7D32; } td.diff { color: #1565C0; background: #E3F2FD; }
figure { margin: 16px 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
pre { background: #F5F7F8; padding: 10px; font-size: 12px; white-space: pre-wrap; }
.counties td, .counties th { font-size: 11.5px; padding: 2px 4px; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
.print { display: none; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .pagebreak { break-before: page; page-break-before: always; }
  .screen { display: none; }
  .print { display: block; }
}
"#;

use crate::report::svg::pick as t;

/// A figure in the briefing: whole from 1,000, one decimal from 10, else two.
pub fn shown(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x.abs() >= 1000.0 {
        whole(x)
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A whole number with thousands separators (`3,118`, `877`); `—` for none.
pub fn whole(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let digits = format!("{:.0}", x.abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if x.round() < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A figure of `unit` as the briefing writes it: counts and people whole (`3,118`, `877`),
/// others as [`shown`] in the unit's terms (shares as percentages, yuan in 亿).
pub fn figure(unit: Unit, x: f64) -> String {
    match unit {
        Unit::Count | Unit::People => whole(x),
        _ => shown(unit.shown(x)),
    }
}

fn change_cell(before: f64, after: f64) -> String {
    let c = change_pct(before, after);
    if !c.is_finite() {
        return "<td>—</td>".into();
    }
    let class = if c < 0.0 { "down" } else { "up" };
    format!(r#"<td class="{class}">{c:+.1}%</td>"#)
}

fn outcome_line(lang: Lang, level: &str, o: &Outcome) -> String {
    let mut text = format!(
        "{level}：{} {} / {} {}",
        t(lang, "合并", "merges"),
        o.merges,
        t(lang, "范围内单位", "units in scope"),
        o.units_in_scope
    );
    if let Some(target) = o.target_merges {
        let _ = write!(
            text,
            "；{} {target}（{}）",
            t(lang, "目标", "target"),
            if o.target_met() {
                t(lang, "已达成", "met")
            } else {
                t(lang, "未达成", "not met")
            }
        );
    }
    for (c, n) in &o.blocked {
        let _ = write!(
            text,
            "；{}（{}）：{n}",
            t(lang, "受阻", "blocked"),
            c.label(lang)
        );
    }
    text
}

/// The briefing of one analysis as HTML.
pub fn briefing(
    analysis: &Analysis,
    figures: &FiguresView,
    geometry: &MapGeometry,
    meta: &Metadata,
    lang: Lang,
) -> String {
    let scenario = &analysis.scenario;
    let title = t(lang, "区划调整方案简报", "Reform briefing");
    let mut h = open_page(
        meta,
        lang,
        &format!("{title} — {}", scenario.name),
        &format!("{title}：{}", scenario.name),
    );
    if !scenario.description.is_empty() {
        let _ = write!(h, "<p>{}</p>", esc(&scenario.description));
    }
    h += &modelled_badge(meta, lang);
    key_figures(&mut h, figures, lang);
    for picture in Picture::ALL {
        let _ = write!(
            h,
            "<figure>{}</figure>",
            svg(picture, analysis, figures, geometry, meta, lang)
        );
    }
    county_table(&mut h, figures, lang);
    why_summary(&mut h, analysis, lang);
    hand_edits(&mut h, figures, scenario, lang);
    parameters(&mut h, scenario, lang);
    let _ = write!(h, "<h2>{}</h2><ul>", t(lang, "数据来源", "Sources"));
    for source in &meta.sources {
        let _ = write!(h, "<li>{}</li>", esc(source));
    }
    h += "</ul>";
    h += &close_page(meta);
    h
}

/// The key figures before and after, and each level's outcome.
fn key_figures(h: &mut String, figures: &FiguresView, lang: Lang) {
    let _ = write!(
        h,
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "主要指标", "Key figures"),
        t(lang, "指标", "Metric"),
        t(lang, "调整前", "Before"),
        t(lang, "调整后", "After"),
        t(lang, "变化", "Change"),
    );
    for row in &figures.key {
        let unit = row.metric.unit();
        let label = match unit.label(lang) {
            "" | "个" | "人" => row.metric.label(lang).to_string(),
            u => format!("{}（{u}）", row.metric.label(lang)),
        };
        let mark = if row.modelled { " ＊" } else { "" };
        let (b, a) = (
            row.before.unwrap_or(f64::NAN),
            row.after.unwrap_or(f64::NAN),
        );
        let _ = write!(
            h,
            "<tr><td>{}{mark}</td><td>{}</td><td>{}</td>{}</tr>",
            esc(&label),
            figure(unit, b),
            figure(unit, a),
            change_cell(b, a)
        );
    }
    *h += "</tbody></table>";
    if let Some((townships, villages)) = &figures.outcomes {
        let _ = write!(
            h,
            "<p>{}<br>{}</p>",
            esc(&outcome_line(lang, t(lang, "乡镇", "Townships"), townships)),
            esc(&outcome_line(lang, t(lang, "建制村", "Villages"), villages)),
        );
    }
}

/// The counties' units and mean distances before and after.
fn county_table(h: &mut String, figures: &FiguresView, lang: Lang) {
    let _ = write!(
        h,
        r#"<h2 class="pagebreak">{}</h2><table class="counties"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        t(lang, "分县统计", "Counties"),
        t(lang, "区县", "County"),
        t(lang, "市州", "City"),
        t(lang, "代码", "Code"),
        t(lang, "乡镇（前）", "Townships before"),
        t(lang, "乡镇（后）", "after"),
        t(lang, "建制村（前）", "Villages before"),
        t(lang, "建制村（后）", "after"),
        t(lang, "平均距离（前，公里）", "Mean km before"),
        t(lang, "平均距离（后，公里）", "Mean km after"),
    );
    for row in &figures.counties {
        let n = row.numbers;
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="text">{}</td><td class="text">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td></tr>"#,
            esc(&row.name),
            esc(&row.city),
            esc(&row.code),
            whole(n[0]),
            whole(n[1]),
            whole(n[2]),
            whole(n[3]),
            n[4],
            n[5]
        );
    }
    *h += "</tbody></table>";
}

/// The hand edits in order, each with whether it holds.
/// Why units merged or not: how many of each level each rule decided (every unit's story is
/// in `explain.csv` and the workbook's 调整原因 sheet).
fn why_summary(h: &mut String, analysis: &Analysis, lang: Lang) {
    use crate::scenario::LevelName;
    let record = crate::explain::Record::of(analysis);
    let count = |level| {
        let mut counts = [0usize; crate::explain::RULES.len()];
        for story in record.stories(level) {
            if let Some(k) = crate::explain::RULES.iter().position(|&r| r == story.rule) {
                counts[k] += 1;
            }
        }
        counts
    };
    let (townships, villages) = (count(LevelName::Townships), count(LevelName::Villages));
    let _ = write!(
        h,
        "<h2>{}</h2><p>{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "调整原因", "Why units merged or not"),
        t(
            lang,
            "依据引擎的决策记录；每个单位的原因见 explain.csv 与工作簿的「调整原因」表。",
            "From the engine's record of its decisions; each unit's reason is in explain.csv and the workbook's Why sheet."
        ),
        t(lang, "依据", "rule"),
        t(lang, "乡镇", "townships"),
        t(lang, "建制村", "villages"),
    );
    for (k, rule) in crate::explain::RULES.iter().enumerate() {
        if townships[k] + villages[k] == 0 {
            continue;
        }
        let crate::table::Cell::Term(term) = super::terms::rule(rule) else {
            continue;
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(term.get(lang)),
            whole(townships[k] as f64),
            whole(villages[k] as f64)
        );
    }
    *h += "</tbody></table>";
}

fn hand_edits(
    h: &mut String,
    figures: &FiguresView,
    scenario: &crate::scenario::Scenario,
    lang: Lang,
) {
    let _ = write!(h, "<h2>{}</h2>", t(lang, "手动调整", "Hand edits"));
    if figures.edits.is_empty() {
        let _ = write!(h, "<p>{}</p>", t(lang, "无", "None"));
        return;
    }
    *h += "<ol>";
    for report in &figures.edits {
        let edit = scenario.edits.get(report.position);
        let codes = edit.map(|e| e.codes.join(" ")).unwrap_or_default();
        let status = match &report.status {
            EditStatus::Held => t(lang, "生效", "holds").to_string(),
            other => other.describe(lang),
        };
        let _ = write!(
            h,
            "<li>{} {} {} — {}</li>",
            esc(report.level),
            esc(report.action.as_str()),
            esc(&codes),
            esc(&status)
        );
    }
    *h += "</ol>";
}

/// The scenario's parameters, one per row, and its file.
fn parameters(h: &mut String, scenario: &crate::scenario::Scenario, lang: Lang) {
    let _ = write!(
        h,
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "方案参数", "Scenario parameters"),
        t(lang, "参数", "Parameter"),
        t(lang, "值", "Value"),
    );
    let toml = scenario.to_toml();
    for p in parameters::parameters(&toml, lang) {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="text">{}</td></tr>"#,
            esc(&p.label),
            esc(&p.value.to_text())
        );
    }
    // The file itself: folded on screen, printed in full (a closed <details> does not print).
    let _ = write!(
        h,
        r#"</tbody></table><details class="screen"><summary>{0}</summary><pre>{1}</pre></details><div class="print"><h3>{0}</h3><pre>{1}</pre></div>"#,
        t(lang, "方案文件（TOML）", "Scenario file (TOML)"),
        esc(&toml)
    );
}

/// The start of a self-contained page: its head (language, generator, time made, `title`,
/// the styles), the heading `heading` and a line with the dataset and the time made.
pub(crate) fn open_page(meta: &Metadata, lang: Lang, title: &str, heading: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><meta name="generator" content="{}"><meta name="created" content="{}"><title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1><p class="sub">{} · {} {}</p>"#,
        t(lang, "zh-CN", "en"),
        esc(&meta.program),
        esc(&meta.made_at),
        esc(title),
        esc(heading),
        esc(&meta.dataset),
        t(lang, "生成于", "made"),
        esc(&meta.made_at),
    )
}

/// The "modelled data" badge, or nothing for observed data.
pub(crate) fn modelled_badge(meta: &Metadata, lang: Lang) -> String {
    meta.modelled_note(lang)
        .map(|note| format!(r#"<p><span class="badge">＊{}</span></p>"#, esc(&note)))
        .unwrap_or_default()
}

/// The end of a page: a footer with the program, the time made and the dataset.
pub(crate) fn close_page(meta: &Metadata) -> String {
    format!(
        "<footer>{} · {} · {}</footer></body></html>",
        esc(&meta.program),
        esc(&meta.made_at),
        esc(&meta.dataset)
    )
}
