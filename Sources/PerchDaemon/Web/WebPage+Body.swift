/// The live view's body (HTML), served inline in GET / (see WebPage.swift).
extension WebPage {
    static let body = #"""
<header><h1>Perch<span id="version"></span></h1><span class="pill" id="link"><span class="dot" id="linkdot"></span><span id="linktext">connecting…</span></span><span class="pill" id="rate">–</span><span class="spacer"></span><span class="pill" id="uptime">–</span></header>
<main>
<div class="col">
<section id="camera-card"><h2>Camera <span class="right" id="camera-pick"></span></h2>
<div class="camera"><img id="camera" alt="live camera image"><div class="none" id="camera-none">No camera configured</div></div>
<div class="caption"><span id="camera-info">–</span><span><span class="swatch"></span>the region the model sees</span></div></section>
<section id="audio-card"><h2>Microphone <span class="right" id="audio-name"></span></h2>
<canvas id="spectrogram" width="400" height="160" aria-label="audio features, last seconds"></canvas>
<div class="meter" aria-label="level"><div class="rms" id="rms"></div><div class="peak" id="peak"></div></div>
<div class="scale"><span>−60 dBFS</span><span id="level">–</span><span>0</span></div></section>
<section id="sources-card"><h2>Sources</h2><table><thead><tr><th>Source</th><th>State</th><th class="n">Frames</th><th class="n">Drops</th><th class="n">Xruns</th></tr></thead><tbody id="sources"></tbody></table>
<div class="totals" id="totals"></div><ul class="faults" id="faults"></ul></section>
</div>
<div class="col">
<section id="scores-card"><h2>Scores <span class="right attrnote" id="scores-note"></span></h2><div id="models"><div class="empty">Waiting for the first inference…</div></div>
<div class="legend"><span><i></i>on threshold</span><span><i class="off"></i>off threshold</span><span><span class="dot ok" style="display:inline-block"></span> active</span></div></section>
<section id="events-card"><h2>Events <span class="right attrnote" id="events-note"></span></h2><ul class="events" id="events"><li class="empty" id="events-empty">No events yet. They appear here as the rules fire.</li></ul></section>
</div>
</main>
"""#
}
