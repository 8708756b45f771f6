/// The live view's style (CSS), served inline in GET / (see WebPage.swift).
extension WebPage {
    static let style = #"""
:root{--bg:#f3f4f6;--card:#ffffff;--text:#17191c;--muted:#667085;--line:#e4e7ec;--track:#eef1f5;--fill:#4f7cff;--on:#12a150;--warn:#d98200;--bad:#d92d20;--mark:#17191c;--chip:#f2f4f7;--shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.08)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1014;--card:#161a20;--text:#e7e9ec;--muted:#98a2b3;--line:#262c35;--track:#222831;--fill:#6d93ff;--on:#32d583;--warn:#fdb022;--bad:#f97066;--mark:#e7e9ec;--chip:#222831;--shadow:none}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,sans-serif;font-variant-numeric:tabular-nums}
header{position:sticky;top:0;z-index:2;display:flex;align-items:center;gap:12px;flex-wrap:wrap;padding:10px 16px;background:var(--card);border-bottom:1px solid var(--line)}
header h1{font-size:17px;margin:0;font-weight:650;letter-spacing:.2px}
header h1 span{color:var(--muted);font-weight:500;font-size:13px;margin-left:6px}
.pill{display:inline-flex;align-items:center;gap:6px;padding:2px 10px;border-radius:999px;background:var(--chip);font-size:12.5px;color:var(--muted);white-space:nowrap}
.dot{width:8px;height:8px;border-radius:50%;background:var(--muted);flex:none}
.dot.ok{background:var(--on)}.dot.warn{background:var(--warn)}.dot.bad{background:var(--bad)}
.spacer{flex:1}
main{display:grid;gap:14px;padding:14px;max-width:1400px;margin:0 auto;grid-template-columns:minmax(0,1fr)}
@media (min-width:900px){main{grid-template-columns:minmax(0,1.15fr) minmax(0,1fr)}}
.col{display:grid;gap:14px;align-content:start;min-width:0}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;box-shadow:var(--shadow);padding:14px;min-width:0}
section h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 10px;font-weight:600;display:flex;align-items:center;gap:8px}
section h2 .right{margin-left:auto;text-transform:none;letter-spacing:0;font-weight:500}
.camera{position:relative;background:#000;border-radius:8px;overflow:hidden;aspect-ratio:4/3}
.camera img{display:block;width:100%;height:100%;object-fit:contain;image-rendering:auto}
.camera .none{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;color:#aab;font-size:13px;text-align:center;padding:12px}
.caption{display:flex;gap:10px;flex-wrap:wrap;margin-top:8px;color:var(--muted);font-size:12.5px}
.swatch{display:inline-block;width:12px;height:12px;border:2px solid #ffb000;border-radius:2px;vertical-align:-2px;margin-right:4px}
select{font:inherit;color:inherit;background:var(--chip);border:1px solid var(--line);border-radius:6px;padding:2px 6px}
.model+.model{margin-top:16px;padding-top:14px;border-top:1px solid var(--line)}
.model h3{font-size:14px;margin:0 0 8px;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.model h3 small{color:var(--muted);font-weight:400}
.row{display:grid;grid-template-columns:minmax(6.5em,10.5em) minmax(0,1fr) 3.2em;align-items:center;gap:10px;padding:3px 0}
.row .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;display:flex;align-items:center;gap:6px}
.row .name .dot{visibility:hidden}
.row.active .name{font-weight:650}.row.active .name .dot{visibility:visible;background:var(--on)}
.bar{position:relative;height:12px;border-radius:6px;background:var(--track)}
.bar .fill{position:absolute;left:0;top:0;bottom:0;border-radius:6px;background:var(--fill);max-width:100%}
.row.active .bar .fill{background:var(--on)}
.bar .on,.bar .off{position:absolute;top:-3px;bottom:-3px;width:0;border-left:2px solid var(--mark)}
.bar .off{border-left:2px dotted var(--muted)}
.row .val{text-align:right;color:var(--muted);font-size:12.5px}
.row.active .val{color:var(--text)}
.legend{display:flex;gap:14px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin-top:8px}
.legend i{display:inline-block;width:0;height:12px;border-left:2px solid var(--mark);vertical-align:-2px;margin-right:5px}
.legend i.off{border-left:2px dotted var(--muted)}
.attr{display:flex;height:22px;border-radius:6px;overflow:hidden;margin:4px 0 2px;font-size:12px;font-weight:600;color:#fff}
.attr div{display:flex;align-items:center;justify-content:center;white-space:nowrap;overflow:hidden;flex-basis:0}
.attr .a0{background:#7a5af8}.attr .a1{background:#ee46bc}.attr .a2{background:#0ba5ec}
.attrnote{color:var(--muted);font-size:12px}
canvas{display:block;width:100%;border-radius:8px;background:#000}
.meter{position:relative;height:14px;border-radius:7px;background:var(--track);margin-top:10px;overflow:hidden}
.meter .rms{position:absolute;left:0;top:0;bottom:0;background:var(--on)}
.meter .peak{position:absolute;top:0;bottom:0;width:2px;background:var(--text)}
.scale{display:flex;justify-content:space-between;color:var(--muted);font-size:11px;margin-top:3px}
.events{list-style:none;margin:0;padding:0;max-height:420px;overflow:auto}
.events li{display:grid;grid-template-columns:5.4em minmax(0,1fr) auto 3em;gap:8px;align-items:center;padding:6px 2px;border-bottom:1px solid var(--line)}
.events li:last-child{border-bottom:0}
.events .t{color:var(--muted);font-size:12.5px}
.events .what{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.events .what b{font-weight:600}
.events .what small{color:var(--muted)}
.events .sc{text-align:right;color:var(--muted);font-size:12.5px}
.badge{font-size:11.5px;font-weight:600;padding:1px 8px;border-radius:999px;background:var(--chip);color:var(--muted)}
.badge.start{background:color-mix(in srgb,var(--on) 18%,transparent);color:var(--on)}
.badge.end{background:var(--chip);color:var(--muted)}
.events li.marker{display:block;color:var(--warn);font-size:12.5px;background:color-mix(in srgb,var(--warn) 10%,transparent);border-radius:6px;padding:6px 8px;margin:4px 0;border:0}
.empty{color:var(--muted);font-size:13px;padding:6px 0}
table{width:100%;border-collapse:collapse;font-size:13px}
th{text-align:left;color:var(--muted);font-weight:500;font-size:12px;padding:4px 6px 6px 0}
td{padding:6px 6px 6px 0;border-top:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right}
td .sub{color:var(--muted);font-size:12px;overflow-wrap:anywhere}
.faults{list-style:none;margin:10px 0 0;padding:0}
.faults li{padding:8px 10px;border-radius:8px;margin-top:6px;background:color-mix(in srgb,var(--bad) 10%,transparent);border-left:3px solid var(--bad)}
.faults li b{font-weight:600}
.faults li.good{background:color-mix(in srgb,var(--on) 10%,transparent);border-left-color:var(--on)}
.totals{color:var(--muted);font-size:12.5px;margin-top:8px}
/* Phones: one column, the cards people look at first on top (after the rules above). */
@media (max-width:899px){.col{display:contents}#camera-card{order:1}#scores-card{order:2}#events-card{order:3}#audio-card{order:4}#sources-card{order:5}
main{padding:10px;gap:10px}section{padding:12px}header{padding:8px 12px;gap:8px}#rate{display:none}.events{max-height:none}}
"""#
}
