// The console's words: the staff language from ?lang= (vi by default), the server's
// gettext catalog of it, and numbers in Khmer digits on a Khmer console.

const params = new URLSearchParams(location.search);
export const LANG = ["vi", "km", "en"].includes(params.get("lang")) ? params.get("lang") : "vi";

let I18N = {};

export function digits(value) {
  const s = String(value);
  return LANG === "km" ? s.replace(/[0-9]/g, (d) => "០១២៣៤៥៦៧៨៩"[d]) : s;
}

// Translate (the msgid is English; babel extracts _() calls), then fill {placeholders}.
export function _(msgid, values) {
  let text = I18N[msgid] || msgid;
  for (const [key, value] of Object.entries(values || {})) {
    text = text.split(`{${key}}`).join(typeof value === "number" ? digits(value) : value);
  }
  return text;
}

// Marks a msgid for extraction; translated where shown.
export const N_ = (msgid) => msgid;

export function hasTranslations() {
  return Object.keys(I18N).length > 0;
}

export async function loadTranslations() {
  try {
    const resp = await fetch(`i18n.json?lang=${LANG}`, { cache: "no-store" });
    if (resp.ok) I18N = await resp.json();
  } catch (err) {
    I18N = {}; // English msgids until the server answers; the page reloads nothing
  }
}

export function applyTranslations() {
  document.documentElement.lang = LANG;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = _(el.dataset.i18n); });
  document.title = _("Counter desk");
}

// A name given per language ({vi, km, en}) in the staff language.
export function local(names) {
  if (!names) return "";
  if (typeof names === "string") return names;
  return names[LANG] || names.vi || Object.values(names)[0] || "";
}
