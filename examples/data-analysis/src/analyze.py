# filename: analyze.py
import csv
from collections import defaultdict

revenue_by_region = defaultdict(int)
revenue_by_month = defaultdict(int)
with open("data.csv", newline="") as f:
    for row in csv.DictReader(f):
        revenue_by_region[row["region"]] += int(row["revenue"])
        revenue_by_month[row["month"]] += int(row["revenue"])

regions = sorted(revenue_by_region, key=revenue_by_region.get, reverse=True)
months = sorted(revenue_by_month)
total = sum(revenue_by_region.values())

# A bar chart of revenue by region, as SVG (no plotting library needed).
width, height, bar = 480, 300, 80
top = max(revenue_by_region.values())
bars = []
for i, region in enumerate(regions):
    h = round(revenue_by_region[region] / top * 220)
    x = 40 + i * (bar + 30)
    bars.append(f'<rect x="{x}" y="{260 - h}" width="{bar}" height="{h}" fill="#4472c4"/>'
                f'<text x="{x + bar / 2}" y="280" text-anchor="middle">{region}</text>'
                f'<text x="{x + bar / 2}" y="{252 - h}" text-anchor="middle">{revenue_by_region[region]:,}</text>')
with open("chart.svg", "w") as f:
    f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">'
            f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="16">Revenue by region, {months[0]} to {months[-1]}</text>'
            + "".join(bars) + "</svg>\n")

growth = (revenue_by_month[months[-1]] - revenue_by_month[months[0]]) / revenue_by_month[months[0]] * 100
with open("report.md", "w") as f:
    f.write("# Sales report\n\n")
    f.write(f"Total revenue {months[0]} to {months[-1]}: {total:,}.\n\n")
    f.write("| Region | Revenue | Share |\n| --- | ---: | ---: |\n")
    for region in regions:
        f.write(f"| {region} | {revenue_by_region[region]:,} | {revenue_by_region[region] / total:.0%} |\n")
    f.write(f"\nMonthly revenue grew {growth:.0f}% from {months[0]} to {months[-1]}.\n\n![Revenue by region](chart.svg)\n")

print(f"total {total:,}; top region {regions[0]} ({revenue_by_region[regions[0]]:,}); growth {growth:.0f}%")
print("wrote chart.svg and report.md")
