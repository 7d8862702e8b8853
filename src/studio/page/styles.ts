// The studio page's stylesheet, inline in the page (no outside assets: it runs offline).
// Three columns on a desktop (conversation, flow, state), two on a tablet, one on a phone.
export const styles = String.raw`
:root{--ink:#1b1f24;--muted:#5b6472;--line:#d9dee5;--ground:#f3f5f8;--panel:#fff;--accent:#1d5fd6;--accent-ink:#fff;--bad:#b3261e;--warn:#8a5a00;--here:#fde68a;--here-line:#b45309;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--ground)}
*{box-sizing:border-box}
body{margin:0;height:100vh;display:flex;flex-direction:column}
button,input,select{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:3px solid #7aa7f7;outline-offset:1px}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.5rem 1rem;background:#1f2937;color:#f9fafb}
header.top h1{font-size:1rem;margin:0;display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .6rem;min-width:0}
header.top h1 .bot{font-weight:600}
header.top h1 .brand{font-weight:400;color:#cbd5e1}
header.top code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#cbd5e1;overflow-wrap:anywhere}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem .6rem;margin-left:auto}
.controls label{font-size:13px;color:#cbd5e1}
.controls select{background:#fff;color:var(--ink);border:1px solid #94a3b8;border-radius:6px;padding:.3rem .4rem;max-width:15rem}
.controls button{background:#334155;color:#f9fafb;border:1px solid #64748b;border-radius:6px;padding:.3rem .7rem}
.controls button:hover{background:#475569}
.banner{margin:0;padding:.5rem 1rem;background:#fdecea;color:#7a1712;border-bottom:1px solid #f5c2bd}
.banner.note{background:#fff7e0;color:#5c4100;border-color:#f1dca4}
main{flex:1 1 0;min-height:0;display:grid;gap:.75rem;padding:.75rem;grid-template-columns:minmax(300px,390px) minmax(0,1fr) minmax(280px,400px);grid-template-areas:"chat flow state";grid-template-rows:minmax(0,1fr)}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;min-width:0;min-height:0;display:flex;flex-direction:column}
.panel h2{font-size:.95rem;margin:0}
.head{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .6rem;padding:.55rem .8rem;border-bottom:1px solid var(--line)}
.head .sub{font-size:12px;color:var(--muted);overflow-wrap:anywhere}
.chat{grid-area:chat}
.flow-panel{grid-area:flow}
.state{grid-area:state;overflow:auto;padding:0 .8rem .8rem}
#transcript{flex:1;overflow:auto;display:flex;flex-direction:column;gap:.35rem;padding:.75rem;min-height:12rem;background:#fbfcfd}
.msg{max-width:85%;padding:.45rem .75rem;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg[data-from="bot"]{align-self:flex-start;background:#e9edf2;border-bottom-left-radius:4px}
.msg[data-from="user"]{align-self:flex-end;background:var(--accent);color:var(--accent-ink);border-bottom-right-radius:4px}
.msg a{color:inherit;font-weight:600}
.msg.masked{letter-spacing:.15em}
.msg.keys{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.12em}
.msg.speech{background:#fff6e5;border:1px solid #f0d9a8;font-style:italic}
.msg.speech::before{content:"says";display:block;font:600 10px/1.4 system-ui,sans-serif;letter-spacing:.08em;text-transform:uppercase;color:#8a5a00;font-style:normal}
#transcript[data-channel="whatsapp"] .msg[data-from="user"]{background:#d9fdd3;color:#111b21}
#transcript[data-channel="messenger"] .msg[data-from="user"]{background:#0a7cff}
#transcript[data-channel="sms"] .msg[data-from="user"]{background:#1f8a4c}
.note{align-self:center;text-align:center;font-size:12px;color:var(--muted);max-width:95%;padding:.1rem .4rem}
.typing{align-self:flex-start;color:var(--muted);font-size:13px;padding:.2rem .5rem}
#choices{display:flex;flex-wrap:wrap;gap:.4rem;padding:0 .75rem}
#choices:not(:empty){padding:.5rem .75rem;border-top:1px solid var(--line)}
#choices button{border:1.5px solid var(--accent);background:#fff;color:var(--accent);border-radius:999px;padding:.3rem .85rem;font-weight:600}
#choices button:hover{background:#eaf1fd}
#composer{display:flex;gap:.5rem;padding:.6rem .75rem;border-top:1px solid var(--line)}
#message{flex:1;min-width:0;border:1.5px solid #9aa5b4;border-radius:8px;padding:.5rem .65rem;background:#fff}
#message.secret{-webkit-text-security:disc;text-security:disc;background:#fffbea;border-color:#c9a227}
#composer button{background:var(--accent);color:var(--accent-ink);border:0;border-radius:8px;padding:.5rem 1rem;font-weight:600}
.hint{margin:0;padding:0 .8rem .5rem;font-size:12px;color:var(--muted)}
#keypad{display:grid;grid-template-columns:repeat(3,1fr);gap:.4rem;padding:0 .75rem .75rem;max-width:20rem;align-self:center;width:100%}
#keypad[hidden]{display:none}
#keypad button{height:2.6rem;border:1px solid #b8c1cc;border-radius:10px;background:#f8fafc;font-size:1.15rem;font-weight:600}
#keypad button:active{background:#e2e8f0}
#flow{flex:1;overflow:auto;background:#fff;border-radius:0 0 10px 10px;min-height:0}
#flow svg{display:block}
#flow:empty::before{content:"The flow shows here once the file loads.";display:block;padding:1rem;color:var(--muted)}
#flow.fit svg{width:100%;height:auto}
#flow [data-step]{cursor:pointer}
#flow [data-step]:focus{outline:none}
#flow [data-step]:hover>rect,#flow [data-step]:focus>rect{stroke:var(--accent);stroke-width:2.5}
#flow [data-step].visited>rect{stroke:var(--accent);stroke-width:2}
#flow [data-step][aria-current="step"]>rect{fill:var(--here);stroke:var(--here-line);stroke-width:3.5}
.where{font-size:12px;color:var(--muted)}
.where button,.loc{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:none;border:0;padding:0;color:var(--accent);text-decoration:underline;cursor:pointer;overflow-wrap:anywhere;text-align:left}
.head .tools{margin-left:auto;display:flex;gap:.4rem}
.head .tools button,.head .tools a{font-size:12px;border:1px solid var(--line);background:#fff;border-radius:6px;padding:.2rem .55rem;color:var(--ink);text-decoration:none}
#source{border-top:1px solid var(--line);max-height:45%;display:flex;flex-direction:column;min-height:0}
#source[hidden]{display:none}
#source h3{font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:0;overflow-wrap:anywhere}
#source pre{margin:0;overflow:auto;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:.4rem 0;background:#fbfcfd}
#source .line{display:block;padding:0 .8rem;white-space:pre}
#source .line::before{content:attr(data-n);display:inline-block;width:3.2em;color:#98a2b3;text-align:right;margin-right:1em}
#source .line.here{background:var(--here)}
.state h3{font-size:.85rem;margin:1rem 0 .35rem;color:#334155;text-transform:uppercase;letter-spacing:.04em}
.state table{width:100%;border-collapse:collapse;font-size:13px;table-layout:fixed}
.state caption{text-align:left;font:600 .85rem/1.4 system-ui,sans-serif;text-transform:uppercase;letter-spacing:.04em;color:#334155;margin:1rem 0 .35rem}
.state th,.state td{text-align:left;vertical-align:top;padding:.3rem .35rem;border-bottom:1px solid #eceff3;overflow-wrap:anywhere}
.state th{font-size:12px;color:var(--muted);font-weight:600}
#variables thead th:first-child{width:38%}
#calls thead th:nth-child(1){width:4.7rem}#calls thead th:nth-child(3){width:4rem}#calls thead th:nth-child(4){width:4.2rem}
.state td.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.empty{color:var(--muted);font-size:13px;margin:.2rem 0}
#problems{list-style:none;margin:0;padding:0}
#problems li{border-left:4px solid var(--bad);background:#fdf3f2;padding:.35rem .5rem;margin:.3rem 0;font-size:13px;overflow-wrap:anywhere}
#problems li.warning{border-color:#d29b00;background:#fff9e8}
#problems .sev{font-weight:600}
#sign-in p,#sign-in ul{margin:.2rem 0;font-size:13px}
#sign-in ul{padding-left:1.1rem}
.call-ok{color:#137333;font-weight:600}
.call-bad{color:var(--bad);font-weight:600}
.why{display:block;color:var(--bad);font-size:12px;margin-top:.15rem}
.subject{display:block;color:var(--muted);font-size:12px}
#log{margin:0;padding-left:1.1rem;font-size:12px;color:var(--warn)}
@media (max-height:560px){body{height:auto}main{flex:none;height:34rem}}
@media (max-width:1100px){body{height:auto}main{flex:none;grid-template-columns:minmax(0,1fr) minmax(0,1fr);grid-template-areas:"chat state" "flow flow";grid-template-rows:auto auto;height:auto}.chat{height:36rem}.flow-panel{height:36rem}}
@media (max-width:700px){main{grid-template-columns:minmax(0,1fr);grid-template-areas:"chat" "flow" "state";grid-template-rows:auto auto auto;padding:.5rem;gap:.5rem}.chat{height:auto}#transcript{max-height:60vh}.flow-panel{height:28rem}.controls{margin-left:0}.controls select{max-width:100%}header.top{padding:.5rem .75rem}.state{overflow:visible}.msg{max-width:92%}}
`;
