/** A self-contained page that renders /api/openapi.json and lets one try each operation. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lwm2m-ts server API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:14px 24px}header h1{margin:0;font-size:18px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
h2{font-size:15px;text-transform:uppercase;letter-spacing:.05em;color:#5a6477;margin:24px 0 8px}
details{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:6px 0}
summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:center}
.m{font:600 12px monospace;padding:2px 8px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.get{background:#2f7dd1}.put{background:#c98a16}.post{background:#2f9e63}.delete{background:#c9423c}
code{font:13px monospace}.body{padding:4px 14px 14px}pre{background:#f1f3f6;padding:8px;overflow:auto;max-height:320px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eceff3;text-align:left;padding:4px 6px;vertical-align:top}
input,textarea{font:13px monospace;width:100%;box-sizing:border-box}button{padding:5px 12px}
</style></head><body><header><h1>lwm2m-ts server — REST API</h1></header><main id="root">Loading…</main>
<script>
const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths))for(const [method,op] of Object.entries(ops))
    (byTag[(op.tags||['other'])[0]]??=[]).push({path,method,op});
  let html='<p>'+esc(doc.info.description)+' — <a href="/api/openapi.json">openapi.json</a></p>'+
    '<p>API token (if the server needs one): <input id="token" style="width:320px" placeholder="bearer token"></p>';
  let n=0;
  for(const [tag,list] of Object.entries(byTag)){html+='<h2>'+esc(tag)+'</h2>';
    for(const {path,method,op} of list){const id='op'+(n++);
      html+='<details><summary><span class="m '+method+'">'+method.toUpperCase()+'</span><code>'+esc(path)+'</code><span>'+esc(op.summary||'')+'</span></summary><div class="body">'+
      (op.description?'<p>'+esc(op.description)+'</p>':'')+
      '<table><tr><th>parameter</th><th>in</th><th>value</th></tr>'+(op.parameters||[]).map(p=>'<tr><td><code>'+esc(p.name)+'</code>'+(p.required?' *':'')+'<br><small>'+esc(p.description||p.schema?.description||'')+'</small></td><td>'+p.in+'</td><td><input data-op="'+id+'" data-in="'+p.in+'" data-name="'+esc(p.name)+'"></td></tr>').join('')+'</table>'+
      (op.requestBody?'<p>Body ('+Object.keys(op.requestBody.content).join(', ')+')</p><textarea rows="4" id="'+id+'-body"></textarea>':'')+
      '<p><button data-try="'+id+'" data-path="'+esc(path)+'" data-method="'+method+'" data-ct="'+esc(op.requestBody?Object.keys(op.requestBody.content)[0]:'')+'">Try it</button></p><pre id="'+id+'-out" hidden></pre>'+
      '<details><summary>Schemas</summary><pre>'+esc(JSON.stringify({requestBody:op.requestBody,responses:op.responses},null,2))+'</pre></details></div></details>';}}
  document.getElementById('root').innerHTML=html;
  document.querySelectorAll('[data-try]').forEach(b=>b.onclick=async()=>{
    const id=b.dataset.try;let path=b.dataset.path;const q=new URLSearchParams();
    document.querySelectorAll('[data-op="'+id+'"]').forEach(i=>{if(!i.value)return;
      if(i.dataset.in==='path')path=path.replace('{'+i.dataset.name+'}',i.dataset.name==='path'?i.value:encodeURIComponent(i.value));else q.set(i.dataset.name,i.value);});
    const headers={};const t=document.getElementById('token').value;if(t)headers.authorization='Bearer '+t;
    const bodyEl=document.getElementById(id+'-body');let body;if(bodyEl&&bodyEl.value){body=bodyEl.value;headers['content-type']=b.dataset.ct;}
    const out=document.getElementById(id+'-out');out.hidden=false;out.textContent='…';
    try{const r=await fetch(path+(q.size?'?'+q:''),{method:b.dataset.method.toUpperCase(),headers,body});
      const text=await r.text();let shown=text;try{shown=JSON.stringify(JSON.parse(text),null,2)}catch{}
      out.textContent=r.status+' '+r.statusText+'\\n\\n'+shown;}catch(e){out.textContent=String(e)}});
});
</script></body></html>`;
