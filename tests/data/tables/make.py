# Writes the township table of tests/common (TOWNSHIPS) as an office would: a title row, a
# serial-number column, Chinese headers, codes as numbers, a total row; as .xls and .ods.
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableRow, TableCell
from odf.text import P

title = "某县乡镇基本情况表"
header = ["序号", "区划代码", "乡镇名称", "所属区县代码", "类型", "经度", "纬度", "面积（平方公里）", "户籍人口", "常住人口"]
rows = [
    [1, 510104020, "督院街街道", "510104", "街道", 104.08, 30.65, 2.5, 30000, 40000],
    [2, 510121100, "城厢镇", "510121", "镇", 104.30, 30.40, 80, 25000, 20000],
    [3, 510121201, "某某乡", "510121", "乡", 104.40, 30.45, 120, 8000, 6000],
]
total = ["合计", "", "", "", "", "", "", 202.5, 63000, 66000]

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("乡镇")
sheet.write_merge(0, 0, 0, 9, title)
for r, row in enumerate([header] + rows + [total]):
    for c, v in enumerate(row):
        sheet.write(r + 1, c, v)
book.save("townships.xls")

doc = OpenDocumentSpreadsheet()
table = Table(name="乡镇")
def add(values):
    tr = TableRow()
    for v in values:
        if isinstance(v, (int, float)):
            cell = TableCell(valuetype="float", value=v)
        else:
            cell = TableCell(valuetype="string")
        cell.addElement(P(text=str(v)))
        tr.addElement(cell)
    table.addElement(tr)
add([title])
for row in [header] + rows + [total]:
    add(row)
doc.spreadsheet.addElement(table)
doc.save("townships.ods")
