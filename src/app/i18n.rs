//! UI text in Simplified Chinese (default) and English: one table, looked up by key.

pub use crate::lang::Lang;

/// (key, 中文, English). Keep keys sorted by panel.
const TEXT: &[(&str, &str, &str)] = &[
    // Top bar
    (
        "app_title",
        "建制 · 乡镇村区划调整模拟",
        "Jianzhi · township and village reform simulator",
    ),
    ("app_title_short", "建制", "Jianzhi"),
    ("to_path", "用此路径…", "Use this path…"),
    (
        "save_to_path",
        "保存方案到此 .toml",
        "Save the scenario to this .toml",
    ),
    (
        "export_to_path",
        "导出报表到此文件夹",
        "Export the reports into this folder",
    ),
    ("data", "数据", "Data"),
    ("modelled", "含模拟数据", "modelled"),
    (
        "modelled_hint",
        "座落位置、辖区、面积和人口为模拟值（见 README）",
        "Seats, territories, areas and populations are modelled (see README)",
    ),
    ("scenario", "方案", "Scenario"),
    ("undo", "撤销", "Undo"),
    ("redo", "重做", "Redo"),
    ("open_data", "打开数据…", "Open data…"),
    ("open_scenario", "打开方案…", "Open scenario…"),
    ("save_scenario", "保存方案…", "Save scenario…"),
    ("export", "导出报表…", "Export reports…"),
    ("path", "路径", "Path"),
    ("load", "载入", "Load"),
    (
        "path_hint",
        "数据文件夹、方案 .toml 或导出文件夹",
        "dataset folder, scenario .toml or export folder",
    ),
    ("dark", "深色", "Dark"),
    ("province_other", "省份…", "Province…"),
    ("province_all", "全国", "Whole country"),
    ("province_several", "多省", "Several provinces"),
    ("province_demo", "2016 演示", "2016 demo"),
    (
        "province_hint",
        "打开一个省份：四川为 2016 年演示数据；其他省份由 2023 年真实代码生成模拟数据（首次使用时生成，约数秒）",
        "Open a province: Sichuan is the 2016 demo; the others are modelled from their real 2023 codes (on first use, a few seconds)",
    ),
    ("language", "界面语言", "Language"),
    ("light", "浅色", "Light"),
    ("computing", "计算中…", "Computing…"),
    ("loading", "载入数据中…", "Loading data…"),
    ("cancel", "取消", "Cancel"),
    (
        "load_cancelled",
        "已取消载入，仍用原数据",
        "Load cancelled; the data in use is kept",
    ),
    ("step_starting", "准备", "starting"),
    (
        "step_modelling",
        "首次使用：生成全国模拟数据",
        "first use: modelling the national data",
    ),
    ("step_boundaries", "读取边界", "reading boundaries"),
    ("step_counties", "读取区县表", "reading counties"),
    ("step_townships", "读取乡镇表", "reading townships"),
    ("step_villages", "读取村表", "reading villages"),
    ("step_checking", "校验", "checking"),
    ("step_adjacency", "计算相邻关系", "finding neighbours"),
    ("step_terrain", "判定地形", "classifying terrain"),
    ("step_coverage", "计算服务距离", "measuring distances"),
    ("step_writing", "写出文件", "writing files"),
    ("formats", "导出格式", "Formats"),
    (
        "crs_export",
        "GIS 图层坐标系",
        "GIS layers' coordinate system",
    ),
    ("crs_own", "数据原有", "The data's own"),
    ("loaded", "已载入", "Loaded"),
    (
        "scenarios_parked",
        "个方案已保留，重新打开该数据时恢复",
        "scenario(s) kept for when that dataset opens again",
    ),
    ("about", "帮助", "Help"),
    ("shortcuts", "键盘快捷键", "Keyboard shortcuts"),
    ("mapping_title", "列对应", "Column mapping"),
    ("mapping_preview", "前几行", "First rows"),
    (
        "mapping_save",
        "保存为数据旁的 columns.toml（下次与命令行也用）",
        "Save as columns.toml beside the data (used next time and by the command line)",
    ),
    ("mapping_load", "按此载入", "Load with this mapping"),
    ("not_merged", "不调整", "not merged"),
    ("service_radius", "服务半径", "Service radius"),
    (
        "present_hint",
        "← → 切换方案 · Esc 退出演示",
        "← → next or previous scenario · Esc leaves the presentation",
    ),
    ("present", "演示（F5）", "Present (F5)"),
    ("compare", "方案对比", "Compare"),
    (
        "chart_cities_townships",
        "各市州乡镇减少比例（%），按方案",
        "Townships cut by city (%), by scenario",
    ),
    (
        "chart_provinces_townships",
        "各省乡镇减少比例（%），按方案",
        "Townships cut by province (%), by scenario",
    ),
    (
        "compare_need_two",
        "打开两个以上方案后可对比",
        "Open two or more scenarios to compare them",
    ),
    (
        "compare_diff_hint",
        "括号内为与第一个方案之差",
        "In brackets: the difference from the first scenario",
    ),
    ("step_done", "完成", "done"),
    (
        "drop_hint",
        "可将数据文件夹或方案文件拖入窗口",
        "Drop a dataset folder or a scenario file on the window",
    ),
    // Scenario tabs
    ("scenarios", "方案：", "Scenarios:"),
    (
        "tab_hint",
        "点击切换方案；每个方案有自己的撤销记录",
        "Click to bring this scenario to the front; each has its own undo history",
    ),
    ("close_scenario", "关闭此方案", "Close this scenario"),
    ("new_scenario", "＋ 复制为新方案", "+ New copy"),
    (
        "new_scenario_hint",
        "在新标签中打开当前方案的副本",
        "Open a copy of the scenario in front in a new tab",
    ),
    ("copy", "副本", "copy"),
    // Scenario panel
    ("preset", "预设方案", "Preset"),
    ("townships", "乡镇街道", "Townships"),
    ("villages", "建制村", "Villages"),
    ("enabled", "参与调整", "Reform this level"),
    ("target", "减少目标 %", "Target cut %"),
    ("set_target", "设定减少目标", "Set a target cut"),
    (
        "no_target",
        "不设目标（仅按门槛）",
        "No target (thresholds only)",
    ),
    ("per_county", "目标分解到各县", "Target per county"),
    (
        "thresholds",
        "候选门槛（低于即为候选）",
        "Candidate thresholds (below = candidate)",
    ),
    ("min_area", "最小面积 km²", "Min area km²"),
    ("min_registered", "最小户籍人口", "Min registered pop"),
    ("min_resident", "最小常住人口", "Min resident pop"),
    ("caps", "上限", "Caps"),
    ("max_area", "最大面积 km²", "Max area km²"),
    ("max_distance", "最远驻地距离 km", "Max seat distance km"),
    ("terrain", "分地形", "By terrain"),
    ("base", "基础", "Base"),
    ("exempt", "不参与的类型", "Exempt kinds"),
    (
        "separate_streets",
        "街道单独调整",
        "Streets reformed separately",
    ),
    ("seat_rule", "驻地规则", "Seat rule"),
    ("largest_population", "人口最多", "Largest population"),
    ("town_first", "镇优先", "Town first"),
    ("min_distance", "距离最近", "Nearest to people"),
    ("service", "公共服务", "Service"),
    ("radius", "服务半径 km", "Service radius km"),
    ("stations", "保留便民服务站", "Service stations"),
    ("stations_none", "不保留", "None"),
    ("stations_all", "全部原驻地", "All former seats"),
    ("stations_beyond", "远于…的原驻地", "Former seats beyond…"),
    ("target_met", "目标已达成", "Target met"),
    ("target_missed", "目标未达成", "Target not met"),
    ("blocked", "受阻候选", "blocked candidates"),
    ("no_neighbour", "无可合并邻居", "no neighbour"),
    ("max_area_c", "面积上限", "area cap"),
    ("max_seat_distance_c", "距离上限", "distance cap"),
    ("merges", "合并", "merges"),
    ("hand_edits", "手动调整", "Hand edits"),
    (
        "no_hand_edits",
        "暂无；可在方案文件的 [[edits]] 中写入",
        "None yet; a scenario file lists them under [[edits]]",
    ),
    (
        "delete_edit",
        "删除此项调整（可撤销）",
        "Delete this edit (undoable)",
    ),
    // Charts
    (
        "chart_change_only",
        "调整前后变化（%）",
        "Change before → after (%)",
    ),
    (
        "chart_change",
        "调整前后变化（%）与四川公布数（◆）",
        "Change before → after (%) with Sichuan's published figures (◆)",
    ),
    (
        "chart_area_hist",
        "乡镇面积分布：调整前 vs 调整后（竖线为门槛/上限）",
        "Township area: before vs after (lines: threshold and cap)",
    ),
    (
        "chart_pop_hist",
        "乡镇户籍人口分布：调整前 vs 调整后（竖线为门槛）",
        "Township registered population: before vs after (line: threshold)",
    ),
    (
        "chart_coverage",
        "服务覆盖：距驻地 x 公里内的常住人口比例",
        "Service coverage: share of residents within x km of their seat",
    ),
    (
        "chart_cities",
        "各市州乡镇与建制村减少比例（%）",
        "Cut by city: townships and villages (%)",
    ),
    (
        "chart_provinces",
        "各省乡镇与建制村减少比例（%）",
        "Cut by province: townships and villages (%)",
    ),
    (
        "chart_validation",
        "对照实际：各县乡镇数，模拟（纵轴）与实际（横轴）",
        "Against the real outcome: townships per county, simulated (up) against real (across)",
    ),
    ("real", "实际", "Real"),
    ("simulated", "模拟", "Simulated"),
    ("no_reform", "不调整", "No reform"),
    ("equal", "模拟 = 实际", "simulated = real"),
    (
        "validation_mae",
        "每县平均绝对误差",
        "Mean absolute error per county",
    ),
    (
        "validation_partners",
        "与实际合并伙伴完全相同的原乡镇",
        "Old townships placed with exactly their real partners",
    ),
    (
        "validation_note",
        "实际为后来版本的区划代码（代码与名称为真实数据）；人口与位置为模拟值。命令行：jianzhi validate",
        "Real: a later edition of the division codes (codes and names are real); populations and places are modelled. CLI: jianzhi validate",
    ),
    ("before", "调整前", "Before"),
    ("after", "调整后", "After"),
    (
        "after_stations",
        "调整后（含服务站）",
        "After, with stations",
    ),
    ("published", "四川公布", "Sichuan published"),
    ("summary", "主要指标", "Key figures"),
    ("metric", "指标", "Metric"),
    ("change", "变化", "Change"),
    // Table
    ("counties", "分县统计", "Counties"),
    ("search", "搜索名称或代码", "Search name or code"),
    ("code", "代码", "Code"),
    ("name", "名称", "Name"),
    ("city", "市州", "City"),
    ("t_before", "乡镇\n调整前", "Townships\nbefore"),
    ("t_after", "乡镇\n调整后", "Townships\nafter"),
    ("v_before", "村\n调整前", "Villages\nbefore"),
    ("v_after", "村\n调整后", "Villages\nafter"),
    ("d_before", "到驻地 km\n调整前", "To seat km\nbefore"),
    ("d_after", "到驻地 km\n调整后", "To seat km\nafter"),
    // Map
    ("map", "地图", "Map"),
    ("map_before_after", "前后并排", "Both"),
    ("map_compare", "与下一方案并排", "Beside the next scenario"),
    ("map_colour", "着色", "Colour by"),
    ("map_search", "查找名称或代码", "Find a name or code"),
    ("zoom_in", "放大（+ 或滚轮）", "Zoom in (+ or wheel)"),
    ("zoom_out", "缩小（− 或滚轮）", "Zoom out (− or wheel)"),
    ("fit_all", "全图", "Whole map"),
    ("legend_fold", "单击收起图例", "Click to fold the legend"),
    ("why", "为什么", "Why"),
    (
        "frontier_title",
        "取舍前沿（模拟）",
        "Trade-off frontier (modelled)",
    ),
    ("frontier_sweep", "计算前沿", "Sweep the target"),
    (
        "frontier_hint",
        "乡镇减少目标从 0% 到 60%（步长 1%）逐点计算，其余规则不变",
        "The township target from 0 to 60 % by 1, every other rule kept",
    ),
    (
        "frontier_units",
        "减少目标（横轴）对应的调整后乡镇数",
        "Townships after at each target cut (across)",
    ),
    ("frontier_units_line", "调整后乡镇数", "townships after"),
    (
        "frontier_distance",
        "平均到驻地距离",
        "mean distance to seat",
    ),
    ("frontier_target", "本方案目标", "this scenario's target"),
    (
        "frontier_stale",
        "方案的其他规则已改变，请重新计算前沿。",
        "Other rules of the scenario changed since the sweep: sweep again.",
    ),
    (
        "why_hint",
        "所选单位为何合并或保留：规则、数值、驻地与比较过的相邻单位",
        "Why the selected units merged or not: the rule, the figures, the seat and the neighbours weighed",
    ),
    (
        "why_title",
        "为什么（依据引擎的决策记录）",
        "Why (from the engine's record of its decisions)",
    ),
    (
        "why_empty",
        "在地图上选择单位，查看其合并或保留的原因。",
        "Select units on the map to see why they merged or not.",
    ),
    (
        "why_more",
        "另有未显示的所选单位：",
        "More selected units not shown:",
    ),
    (
        "legend_unfold",
        "单击展开图例",
        "Click to unfold the legend",
    ),
    ("fit_selection", "缩放到所选", "Fit the selection"),
    ("selected", "已选", "Selected"),
    ("edit_merge", "合并", "Merge"),
    (
        "edit_merge_hint",
        "把所选单位所在的新单位合并为一个（手动调整，可撤销）",
        "Merge the new units of the selection into one (a hand edit, undoable)",
    ),
    ("edit_split", "拆分", "Split"),
    (
        "edit_split_hint",
        "把所选单位所在的新单位拆回各个原单位",
        "Split the new units of the selection back into their former units",
    ),
    ("edit_seat", "设为驻地", "Make seat"),
    (
        "edit_seat_hint",
        "所选单位成为其新单位的驻地",
        "The selected unit becomes its new unit's seat",
    ),
    ("edit_lock", "锁定", "Lock"),
    (
        "edit_lock_hint",
        "所选单位保持不变，不参与合并",
        "The selected units stay as they are, never merged",
    ),
    ("edit_name_hint", "新单位名称", "New unit's name"),
    ("edit_rename", "命名", "Name"),
    ("clear_selection", "清除选择", "Clear selection"),
    (
        "needs_locations",
        "需要位置（坐标或边界）；本数据集没有，此项不适用",
        "Needs locations (coordinates or boundaries); this dataset has none, so it does not apply",
    ),
    (
        "map_no_locations",
        "本数据集没有位置（坐标或边界），无法绘制地图。乡镇按相邻关系表（adjacency.csv）合并；结果见图表和区县表。",
        "This dataset has no locations (coordinates or boundaries), so there is no map. Townships merge by the neighbour table (adjacency.csv); see the charts and the county table.",
    ),
    (
        "map_hint",
        "单击选择，Shift+单击加选，Shift+拖动圈选；拖动已选单位到相邻单位即移入；拖动平移，滚轮缩放",
        "Click to select, Shift+click to add, Shift+drag a lasso; drag a selected unit onto a neighbouring one to move it; drag to pan, wheel to zoom",
    ),
    ("kind", "类型", "Kind"),
    ("residents", "常住人口", "Residents"),
    ("area", "面积", "Area"),
    (
        "distance_to_seat",
        "到驻地平均距离",
        "Mean distance to seat",
    ),
    ("new_unit", "新单位", "New unit"),
    ("nothing_changed", "未作更改", "nothing was changed"),
    ("show_on_map", "在地图上显示", "Show on the map"),
    // Problems
    ("problems", "数据问题", "Data problems"),
    (
        "kept_previous",
        "未载入，仍使用原数据",
        "Not loaded; the previous data is kept",
    ),
    ("close", "关闭", "Close"),
    (
        "warnings",
        "提示（数据已载入）",
        "Warnings (the data was loaded)",
    ),
    ("saved", "已保存", "Saved"),
    ("exported", "已导出到", "Exported to"),
    ("exporting", "正在导出到", "Exporting to"),
];

impl Lang {
    /// The text for `key` in this language (the key itself if missing, so gaps are visible).
    pub fn t(self, key: &'static str) -> &'static str {
        match TEXT.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "简体中文",
            Lang::En => "English",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<&str> = TEXT.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate keys");
        for (k, zh, en) in TEXT {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(Lang::Zh.t("undo"), "撤销");
        assert_eq!(Lang::En.t("undo"), "Undo");
    }
}
