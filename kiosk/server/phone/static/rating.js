// The rating form's answer as the API takes it, shared by the phone page and the /rate/ terminal.
// Returns null (and shows the form's own "choose a face" sentence) when no level is chosen.
export function ratingPayload(form) {
  const error = form.querySelector(".error");
  const picked = form.querySelector("input[name=score]:checked");
  if (!picked) { error.textContent = error.dataset.choose; return null; }
  const payload = {
    score: Number(picked.value),
    reasons: Array.from(form.querySelectorAll("input[name=reasons]:checked"), (el) => el.value),
  };
  const comment = form.querySelector("textarea[name=comment]").value.trim();
  if (comment) payload.comment = comment;
  return payload;
}
