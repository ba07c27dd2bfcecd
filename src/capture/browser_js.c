/*
 * browser_js.c — the JavaScript the scanner evaluates in pages (Runtime.evaluate): page facts and
 * links, scrolling, filling every field with the canary identity (chosen by autocomplete, type,
 * name, id, placeholder and label), finding care controls to click and the form to submit, the
 * site search, consent banners and the login form. Each returns a JSON string. Scripts named _fn
 * are function expressions called with JSON arguments (bx_tab_call).
 */
#include "capture/browser_int.h"

const char bx_js_scroll[] =
    "(async()=>{const h=()=>Math.max(document.body?document.body.scrollHeight:0,"
    "document.documentElement.scrollHeight);"
    "for(let i=0;i<8&&window.scrollY+innerHeight<h();i++){window.scrollBy(0,innerHeight);"
    "await new Promise(r=>setTimeout(r,60));}"
    "window.scrollTo(0,0);return JSON.stringify({height:h()});})()";

/* Shared helpers: deep(selector), the document's matching elements and those inside every open
 * shadow root (web components: a booking widget's form, a consent banner, a care button; a
 * querySelectorAll of the document does not see them), visible(), describe(el) (autocomplete,
 * type, name, id, placeholder, label), setValue(el, v) through the native setter so frameworks
 * see it. */
#define BX_JS_DEEP                                                                          \
    "const deep=s=>{const o=[];const w=r=>{o.push(...r.querySelectorAll(s));"               \
    "for(const h of r.querySelectorAll('*'))if(h.shadowRoot)w(h.shadowRoot);};w(document);" \
    "return o;};"
#define BX_JS_HELPERS                                                                            \
    BX_JS_DEEP                                                                                   \
    "const visible=e=>{const r=e.getBoundingClientRect();const s=getComputedStyle(e);"           \
    "return r.width>0&&r.height>0&&s.visibility!=='hidden'&&s.display!=='none';};"               \
    "const labelOf=e=>{let t='';if(e.id){const l=e.getRootNode().querySelector('label[for=\"'+"  \
    "CSS.escape(e.id)+'\"]');if(l)t+=' '+l.innerText;}const p=e.closest('label');"               \
    "if(p)t+=' '+p.innerText;return t;};"                                                        \
    "const describe=e=>[e.getAttribute('autocomplete'),e.type,e.name,e.id,"                      \
    "e.getAttribute('placeholder'),e.getAttribute('aria-label'),labelOf(e)]"                     \
    ".filter(Boolean).join(' ').toLowerCase();"                                                  \
    "const setValue=(e,v)=>{const proto=e.tagName==='TEXTAREA'?HTMLTextAreaElement.prototype:"   \
    "e.tagName==='SELECT'?HTMLSelectElement.prototype:HTMLInputElement.prototype;"               \
    "const d=Object.getOwnPropertyDescriptor(proto,'value');e.focus();"                          \
    "if(d&&d.set)d.set.call(e,v);else e.value=v;"                                                \
    "for(const t of ['input','change'])e.dispatchEvent(new Event(t,{bubbles:true}));e.blur();};" \
    "const isSearch=e=>e.type==='search'||/(^|[^a-z])(q|s|query|search|keywords?|term)"          \
    "([^a-z]|$)/.test(((e.name||'')+' '+(e.id||'')+' '+(e.getAttribute('role')||'')"             \
    ").toLowerCase())||(e.form&&e.form.getAttribute('role')==='search');"

/* The page's facts: title, login form, site search, and its links (not its frames' src: a frame
 * is part of the page that shows it — its requests are that page's, its links are read in the
 * frame, bx_js_frame_links_fn — and visited as a page of its own it was a second report page of
 * the same requests and took a place of --max-pages). */
const char bx_js_page_info[] =
    "(()=>{" BX_JS_HELPERS "const L=[],S=new Set();"
    "for(const a of deep('a[href],area[href]')){const h=a.href;"
    "if(!h||S.has(h))continue;S.add(h);"
    "L.push([h,((a.innerText||'')+' '+(a.getAttribute('aria-label')||'')+' '+(a.title||''))"
    ".replace(/\\s+/g,' ').trim().slice(0,100)]);if(L.length>=800)break;}"
    "return JSON.stringify({title:document.title||'',"
    "login:deep('input[type=password]').length>0,"
    "search:deep('input').some(isSearch),links:L});})()";

/* Routes reached without a link: a single-page app's navigation made of <div onclick>,
 * role=link/menuitem/tab elements, buttons calling its router's push, or anything a framework's
 * delegated listener makes clickable (cursor: pointer). Up to 12 such controls are clicked while
 * the Navigation API's navigate event records where each would go and cancels it (pushState,
 * location.assign, a link the handler follows), and window.open records instead of opening: the
 * page stays, the URLs are crawled. Which controls: role=link, role=menuitem and data-href
 * (data-url, data-route) ones anywhere; buttons, onclick and pointer-cursor elements only in the
 * page's navigation (nav, header, role=navigation, menu, menubar, tablist), since one in the
 * content may change the page's state (a multi-step form's Next, an accordion) before the fill
 * step. Never pressed: anything in a form or a link (the crawl and the submit step have those),
 * and controls whose text looks destructive, is a consent answer or a form's step (log out,
 * delete, cancel, pay, purchase, accept, reject, next…) or changes how every later page is
 * shown (a language switch, a theme, text size or contrast toggle: a header's accessibility
 * toolbar). A browser without the Navigation API finds nothing here. */
/* Clicks in a frame only where the frame is of the page's own origin (a widget, a portal frame
 * of the site): an ad's or another vendor's frame has controls that open windows or count
 * clicks, and an isolated world cannot replace the page's window.open. */
#define BX_JS_SAME_ORIGIN_ONLY \
    "try{if(top.location.origin!==location.origin)return 'null';}catch(x){return 'null';}"
#define BX_JS_ROUTES_BODY                                                                         \
    "async()=>{" BX_JS_SAME_ORIGIN_ONLY BX_JS_HELPERS "if(!self.navigation)return 'null';"        \
    "const bad=/log ?out|sign ?out|log ?off|sign ?off|delete|remove|cancel|unsubscribe|"          \
    "deactivat|close account|\\bpay|purchase|checkout|check out|buy|order|donat|submit|send|"     \
    "confirm|accept|agree|allow|reject|decline|deny|refuse|cookie|consent|dismiss|^close|^x$|"    \
    "next|continue|proceed|back|previous|step|reset|clear|print|download|share|mute|play|pause|"  \
    "call|dial|\\bemail|exit|quit|end session|disconnect|revoke|unlink|archive|discard|"          \
    "language|idioma|translat|english|espa|fran[c\\u00e7]ais|deutsch|portugu|italiano|"           \
    "\\u0440\\u0443\\u0441\\u0441\\u043a|\\u4e2d\\u6587|"                                         \
    "\\ud55c\\uad6d\\uc5b4|ti\\u1ebfng|\\u0627\\u0644\\u0639\\u0631\\u0628\\u064a\\u0629|theme|"  \
    "dark|light mode|contrast|text size|font|zoom|accessib|^a+$/i;"                               \
    "const navs='nav,header,[role=navigation],[role=menu],[role=menubar],[role=tablist]';"        \
    "const ok=e=>{if(!visible(e)||e.closest('a[href],form,[contenteditable]')||"                  \
    "e.matches('input,select,textarea,label,option,a,iframe,video,audio'))return false;"          \
    "const t=(e.innerText||e.getAttribute('aria-label')||'').replace(/\\s+/g,' ').trim();"        \
    "return t.length>0&&t.length<=40&&!bad.test(t);};"                                            \
    "const anywhere='[role=link],[role=menuitem],[data-href],[data-url],[data-route]';"           \
    "const seen=new Set(),c=[];"                                                                  \
    "for(const e of deep(anywhere+',[role=tab],[onclick],button,div,span,li').slice(0,3000)){"    \
    "if(c.length>=60)break;if(seen.has(e))continue;"                                              \
    "const ptr=e.matches(anywhere)||e.closest(navs)&&(e.matches('[role=tab],[onclick],button')||" \
    "getComputedStyle(e).cursor==='pointer'&&"                                                    \
    "(!e.parentElement||getComputedStyle(e.parentElement).cursor!=='pointer'));"                  \
    "if(ptr&&ok(e)){seen.add(e);c.push(e);}}"                                                     \
    "if(!c.length)return 'null';const L=[];let cur='';const rec=u=>{try{const h=new "             \
    "URL(u,location.href).href;"                                                                  \
    "if(h!==location.href)L.push([h,cur]);}catch(x){}};"                                          \
    "const h=ev=>{if(ev.destination&&ev.destination.url)rec(ev.destination.url);"                 \
    "if(ev.cancelable)ev.preventDefault();};"                                                     \
    "const wo=window.open;window.open=function(u){if(u)rec(String(u));return null;};"             \
    "navigation.addEventListener('navigate',h);"                                                  \
    "try{for(const e of c.slice(0,12)){cur=(e.innerText||e.getAttribute('aria-label')||'')"       \
    ".replace(/\\s+/g,' ').trim().slice(0,100);try{e.click();}catch(x){}}"                        \
    "await new Promise(r=>setTimeout(r,100));}"                                                   \
    "finally{navigation.removeEventListener('navigate',h);window.open=wo;}"                       \
    "return JSON.stringify({links:L.slice(0,40)});}"
const char bx_js_routes[] = "(" BX_JS_ROUTES_BODY ")()";
/* The same as a function, for a frame's isolated world (bx_tab_frames_call), in frames of the
 * page's origin only: its navigate event is the frame's own, so a widget's route is recorded and
 * cancelled like the page's. The window.open of an isolated world is not the page's: a control in
 * such a frame that opens a window opens it (attached and contained like any popup of the tab). */
const char bx_js_routes_fn[] = "(" BX_JS_ROUTES_BODY ")";

/* The links of a frame below the top one (a same-site scheduling widget, an embedded portal's
 * login): the top document's query does not reach into a frame's document. */
const char bx_js_frame_links_fn[] =
    "(()=>{" BX_JS_DEEP "const L=[],S=new Set();"
    "for(const a of deep('a[href],area[href]')){const h=a.href;"
    "if(!h||S.has(h)||!/^https?:/.test(h))continue;S.add(h);"
    "L.push([h,((a.innerText||'')+' '+(a.getAttribute('aria-label')||'')+' '+(a.title||''))"
    ".replace(/\\s+/g,' ').trim().slice(0,100)]);if(L.length>=400)break;}"
    "return L.length?JSON.stringify({links:L}):'null';})";

/* Date fields by meaning: the canary date of birth only where the field says birth (dob, birth,
 * bday, autocomplete=bday); any other date (an appointment's preferred date) gets a weekday three
 * weeks ahead, which is no canary, so a report never labels it a birth date. */
const char bx_js_fill_fn[] =
    "(id=>{" BX_JS_HELPERS "const soon=(()=>{const f=new Date(Date.now()+21*864e5);"
    "const w=f.getUTCDay();if(w===0||w===6)f.setTime(f.getTime()+(w===6?2:1)*864e5);"
    "return f.toISOString().slice(0,10);})();"
    "const pick=(e,d)=>{const t=(e.type||'').toLowerCase();"
    "if(isSearch(e))return id.search_term;"
    "if(t==='email'||/e-?mail/.test(d))return id.email;"
    "if(t==='tel'||/phone|mobile|tel\\b|cell/.test(d))return id.phone;"
    "if(/birth|dob|bday/.test(d))return t==='date'?id.dob:id.dob_us;"
    "if(t==='date')return soon;if(t==='datetime-local')return soon+'T10:00';"
    "if(t==='month')return soon.slice(0,7);if(t==='time')return '10:00';"
    "if(/(^|[^a-z])(date|day)([^a-z]|$)/.test(d))"
    "return soon.slice(5,7)+'/'+soon.slice(8)+'/'+soon.slice(0,4);"
    "if(/given|first|fname/.test(d))return id.first_name;"
    "if(/family|last|surname|lname/.test(d))return id.last_name;"
    "if(/zip|postal/.test(d))return id.zip;"
    "if(/city|locality|level2/.test(d))return id.city;"
    "if(/state|region|level1|province/.test(d))return id.state;"
    "if(/address|street|line1/.test(d))return id.address;"
    "if(/member|insurance|policy|subscriber|mrn|record|account|patient.?id/.test(d))"
    "return id.member_id;"
    "if(/gender|sex/.test(d))return id.gender;"
    "if(/name/.test(d))return id.first_name+' '+id.last_name;"
    "if(/reason|message|comment|symptom|describe|note|question|concern|detail/.test(d)||"
    "e.tagName==='TEXTAREA')return id.reason;"
    "if(t==='number')return '2';"
    "return id.reason;};"
    "let n=0;const radios=new Set();"
    "for(const e of deep('input,select,textarea')){"
    "const t=(e.type||'').toLowerCase();"
    "if(e.disabled||e.readOnly||['hidden','submit','button','reset','image','file','password']"
    ".includes(t))continue;if(!visible(e)&&!e.closest('form'))continue;"
    "if(id.only_empty&&(t==='radio'?deep('input[type=radio]').some(r=>r.name===e.name&&"
    "r.checked):t==='checkbox'||(e.tagName==='SELECT'?e.selectedIndex>0:e.value)))continue;"
    "const d=describe(e);"
    "if(t==='checkbox'){if(!e.checked){e.click();n++;}continue;}"
    "if(t==='radio'){if(!radios.has(e.name)){radios.add(e.name);e.click();n++;}continue;}"
    "if(e.tagName==='SELECT'){const want=(pick(e,d)||'').toLowerCase();let o=[...e.options]"
    ".find(o=>o.value&&(o.value.toLowerCase()===want||o.text.toLowerCase()===want));"
    "if(!o)o=[...e.options].find(o=>o.value&&!o.disabled);if(o){setValue(e,o.value);n++;}"
    "continue;}"
    "const v=pick(e,d);if(v==null)continue;setValue(e,v);n++;}"
    "return JSON.stringify({filled:n});})";

/* Up to four care controls (scheduling, booking, find a doctor, call, refill, pay…) in the
 * document's content, not its navigation, nor a form's submit button: const els. */
#define BX_JS_CARE_CONTROLS                                                                      \
    "const re=/schedul|book|appointment|find a (doctor|provider|physician|location)|"            \
    "find (a |your )?(doctor|provider)|request|call|contact|get care|make an|"                   \
    "refill|telehealth|virtual visit|sign up|register|check.?in|symptom|pay/i;"                  \
    "const els=deep('a[href],button,[role=button],input[type=button]')"                          \
    ".filter(e=>{if(!visible(e)||e.closest('nav,header,footer,[role=navigation]'))return false;" \
    "if(e.type==='submit'&&e.form)return false;"                                                 \
    "const t=(e.innerText||e.value||e.getAttribute('aria-label')||'')+' '+(e.getAttribute"       \
    "('href')||'');return re.test(t);}).slice(0,4);"

const char bx_js_click_targets[] =
    "(()=>{" BX_JS_HELPERS BX_JS_CARE_CONTROLS "window.__pwTargets=els;"
    "if(!window.__pwNoNav){window.__pwNoNav=1;addEventListener('click',ev=>{"
    "const a=ev.composedPath().find(n=>n.matches&&n.matches('a[href]'));"
    "if(a&&window.__pwBlockNav)ev.preventDefault();});}"
    "window.__pwBlockNav=1;"
    "return JSON.stringify({n:els.length});})()";

/* A multi-step form's "Next" ("Continue", "Next step", "Proceed"): a button, not a link, in the
 * page content, beside a field the fill step filled (in its form, or up to four ancestors up),
 * and neither a form's submit button (the submit step's) nor a link (it would leave the page). Its
 * position, for a trusted click; the step that appears is filled next (bx_js_fill_fn with
 * only_empty). */
const char bx_js_next_target[] =
    "(()=>{" BX_JS_HELPERS "const re=/^(next|continue|next step|proceed)\\b/i;"
    "const full=e=>e.value&&!['hidden','submit','button','reset','checkbox','radio','image']"
    ".includes(e.type);"
    "const b=deep('button,[role=button],input[type=button]').find(b=>{"
    "if(!visible(b)||b.closest('nav,header,footer,[role=navigation],a[href]')||"
    "(b.type==='submit'&&b.form))return false;"
    "const t=(b.innerText||b.value||b.getAttribute('aria-label')||'').trim();"
    "if(t.length>30||!re.test(t))return false;"
    "let c=b.form||b.parentElement;for(let i=0;c&&i<5;i++,c=c.parentElement)"
    "if([...c.querySelectorAll('input,select,textarea')].some(full))return true;return false;});"
    "if(!b)return 'null';b.scrollIntoView({block:'center'});const r=b.getBoundingClientRect();"
    "return JSON.stringify({x:r.left+r.width/2,y:r.top+r.height/2,"
    "text:(b.innerText||b.value||'').trim().slice(0,30)});})()";

/* The care controls of a frame below the top one of the page's origin (a scheduling widget's
 * "Book now"), in the frame's isolated world (bx_tab_frames_call): clicked from the script (a
 * frame's coordinates are not the page's) while a link's navigation is prevented, so the frame and
 * the page stay. */
const char bx_js_click_frame_fn[] =
    "(()=>{" BX_JS_SAME_ORIGIN_ONLY BX_JS_HELPERS BX_JS_CARE_CONTROLS
    "if(!els.length)return 'null';"
    "const stop=ev=>{if(ev.composedPath().some(n=>n.matches&&n.matches('a[href]')))"
    "ev.preventDefault();};addEventListener('click',stop,true);const T=[];"
    "try{for(const e of els){T.push((e.innerText||e.value||'').trim().slice(0,60));"
    "try{e.click();}catch(x){}}}finally{removeEventListener('click',stop,true);}"
    "return JSON.stringify({clicked:T});})";

const char bx_js_click_point_fn[] =
    "(i=>{const e=(window.__pwTargets||[])[i];if(!e||!e.isConnected)return 'null';"
    "e.scrollIntoView({block:'center'});const r=e.getBoundingClientRect();"
    "return JSON.stringify({x:r.left+r.width/2,y:r.top+r.height/2,"
    "text:(e.innerText||e.value||'').trim().slice(0,60)});})";

/* The form with the most filled fields (not a search or login form): its submit control's
 * position, or a requestSubmit() when it has none. Navigation is allowed again. */
const char bx_js_submit_target[] =
    "(()=>{" BX_JS_HELPERS "window.__pwBlockNav=0;"
    "let best=null,bn=0;for(const f of deep('form')){"
    "if(f.querySelector('input[type=password]'))continue;"
    "const fs=[...f.elements].filter(e=>!isSearch(e)&&e.value&&!['hidden','submit','button']"
    ".includes(e.type));if(fs.length>bn){bn=fs.length;best=f;}}"
    "if(!best)return 'null';"
    "const s=best.querySelector('button[type=submit],input[type=submit],button:not([type])');"
    "if(s&&visible(s)){s.scrollIntoView({block:'center'});const r=s.getBoundingClientRect();"
    "return JSON.stringify({x:r.left+r.width/2,y:r.top+r.height/2,fields:bn});}"
    "if(best.requestSubmit)best.requestSubmit();else best.submit();"
    "return JSON.stringify({submitted:1,fields:bn});})()";

/* The same in a frame below the top one (bx_tab_frames_call): its submit control is clicked
 * from the script (a frame's coordinates are not the page's), or the form is submitted. */
const char bx_js_submit_frame_fn[] =
    "(()=>{" BX_JS_HELPERS "let best=null,bn=0;for(const f of deep('form')){"
    "if(f.querySelector('input[type=password]'))continue;"
    "const fs=[...f.elements].filter(e=>!isSearch(e)&&e.value&&!['hidden','submit','button']"
    ".includes(e.type));if(fs.length>bn){bn=fs.length;best=f;}}"
    "if(!best)return 'null';"
    "const s=best.querySelector('button[type=submit],input[type=submit],button:not([type])');"
    "if(s)s.click();else if(best.requestSubmit)best.requestSubmit();else best.submit();"
    "return JSON.stringify({submitted:1,fields:bn});})";

const char bx_js_search_fn[] =
    "(term=>{" BX_JS_HELPERS
    "const e=deep('input').find(e=>isSearch(e)&&visible(e))||deep('input').find(e=>isSearch(e));"
    "if(!e)return 'null';setValue(e,term);"
    "const f=e.form;const s=f&&f.querySelector('button[type=submit],input[type=submit],"
    "button:not([type])');"
    "if(s&&visible(s)){s.scrollIntoView({block:'center'});const r=s.getBoundingClientRect();"
    "return JSON.stringify({x:r.left+r.width/2,y:r.top+r.height/2});}"
    "if(f){if(f.requestSubmit)f.requestSubmit();else f.submit();}"
    "else{e.dispatchEvent(new KeyboardEvent('keydown',{key:'Enter',bubbles:true}));}"
    "return JSON.stringify({submitted:1});})";

/* Consent banners: OneTrust, Cookiebot, TrustArc, Osano, Didomi, generic buttons by text. The
 * button is found, not pressed: kept for bx_js_consent_click, so that the scan marks the visitor's
 * answer before the click runs (what the click's handler loads comes after the answer). */
const char bx_js_consent_click[] =
    "(()=>{const k=Symbol.for('phiwall.consent');const e=window[k];if(!e)return 'null';"
    "delete window[k];e.removeAttribute('data-phiwall-consent');e.click();"
    "return JSON.stringify({clicked:1});})()";

/* The same in a frame (bx_tab_frames_call: each call has an isolated world of its own, so the
 * button found is marked in the DOM, which the worlds share): a consent manager that shows its
 * banner in an iframe (Sourcepoint, TrustArc's pop-up frame, a CMP on its own domain). */
const char bx_js_consent_frame_click_fn[] =
    "(()=>{" BX_JS_DEEP "const e=deep('[data-phiwall-consent]')[0];if(!e)return 'null';"
    "e.removeAttribute('data-phiwall-consent');e.click();return JSON.stringify({clicked:1});})";

const char bx_js_consent_fn[] =
    "(accept=>{" BX_JS_DEEP "const keep=e=>{window[Symbol.for('phiwall.consent')]=e;"
    "e.setAttribute('data-phiwall-consent','');};"
    "const ids=accept?['#onetrust-accept-btn-handler','#CybotCookiebotDialogBodyLevelButton"
    "LevelOptinAllowAll','#CybotCookiebotDialogBodyButtonAccept','#truste-consent-button',"
    "'.osano-cm-accept-all','#didomi-notice-agree-button','[data-testid=uc-accept-all-button]',"
    "'[data-consent=accept]',"
    "'[data-action=accept]','#accept-cookies','.cookie-accept']:"
    "['#onetrust-reject-all-handler','#CybotCookiebotDialogBodyButtonDecline',"
    "'#truste-consent-required','.osano-cm-denyAll','#didomi-notice-disagree-button',"
    "'[data-testid=uc-deny-all-button]',"
    "'[data-consent=reject]','[data-action=reject]','#reject-cookies','.cookie-reject'];"
    "const vis=e=>{const r=e.getBoundingClientRect();return r.width>0&&r.height>0;};"
    "for(const s of ids){const e=deep(s)[0];if(e&&vis(e)){keep(e);"
    "return JSON.stringify({found:s});}}"
    "const re=accept?/^(accept|accept all|accept all cookies|allow all|allow cookies|i agree|"
    "agree|ok|okay|got it|i accept|yes|i understand|understood|i consent|agree and proceed|"
    "agree & proceed|agree and continue|accept and continue|accept and close|accept & close)\\b/i"
    ":/^(reject|reject all|decline|deny|refuse|necessary only|only necessary|use necessary|"
    "essential only|do not accept|no thanks|i do not agree|i disagree|disagree|"
    "continue without accepting|strictly necessary only)\\b/i;"
    "for(const e of deep('button,[role=button],a,input[type=button]')){"
    "const t=(e.innerText||e.value||'').trim();if(t.length<40&&re.test(t)&&vis(e)){keep(e);"
    "return JSON.stringify({found:t});}}return 'null';})";

const char bx_js_login_fn[] =
    "((u,p)=>{" BX_JS_HELPERS
    "const pw=deep('input[type=password]').find(visible)||deep('input[type=password]')[0];"
    "if(!pw)return 'null';"
    "const f=pw.form||pw.getRootNode();const fields=[...f.querySelectorAll('input')].filter(e=>"
    "['text','email','tel',''].includes(e.type)&&!isSearch(e));"
    "const user=fields.find(e=>/user|email|login|account|id/i.test(describe(e)))||fields[0];"
    "if(user)setValue(user,u);setValue(pw,p);"
    "const s=f.querySelector('button[type=submit],input[type=submit],"
    "button:not([type])');if(s){s.click();}else if(pw.form){pw.form.requestSubmit?"
    "pw.form.requestSubmit():pw.form.submit();}return JSON.stringify({ok:1});})";
