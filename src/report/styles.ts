/**
 * The HTML report's stylesheet, inlined in its <head> by html.ts so the file needs no network.
 * Only generic font families: a report opened offline on any machine looks the same.
 */

import { CURRENT_COLOUR, REFERENCE_COLOUR } from './svgChart.js';

/** The stylesheet; a constant, so renders stay identical. */
export const REPORT_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:14px/1.45 "DejaVu Sans",Helvetica,Arial,sans-serif;color:#1d1d1f;background:#f6f7f9}
main{max-width:1240px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:0 0 8px}
h3{font-size:16px;margin:0;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
a{color:#1f5fae}
code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
.banner{border-radius:8px;padding:16px 20px;margin:0 0 16px;color:#fff}
.banner.drift{background:#b42318}
.banner.ok{background:#16794a}
.banner p{margin:4px 0 0}
.card{background:#fff;border:1px solid #dcdfe4;border-radius:8px;padding:16px 20px;margin:0 0 16px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0 0}
dl.facts dt{color:#555}
dl.facts dd{margin:0;overflow-wrap:anywhere}
ul.inline{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px}
table{border-collapse:collapse;width:100%;margin:8px 0 0;font-size:13px}
th,td{padding:4px 6px;border-bottom:1px solid #e6e8eb;text-align:right;white-space:nowrap}
th{background:#f0f2f5;white-space:normal;vertical-align:bottom}
th:first-child,td:first-child,td.text,th.text{text-align:left}
td.name{white-space:normal;overflow-wrap:anywhere;min-width:140px;max-width:280px}
.table-box{overflow-x:auto;max-width:100%}
tr.drift td{background:#fff4f2}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.badge.drift{background:#b42318}
.badge.ok{background:#16794a}
.badge.insufficient_data{background:#6b7280}
.feature{border-top:1px solid #e6e8eb;padding:14px 0 6px}
.feature .name{overflow-wrap:anywhere}
.feature .cols{display:flex;flex-wrap:wrap;gap:12px 28px;align-items:flex-start;margin-top:8px}
.chart-box{overflow-x:auto;max-width:100%}
.reasons{margin:6px 0 0;padding-left:20px}
.note{color:#555;margin:6px 0 0}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px}
.swatch.reference{background:${REFERENCE_COLOUR}}
.swatch.current{background:${CURRENT_COLOUR}}
.top{font-size:12px;margin-left:auto}
`;
