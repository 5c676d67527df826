() => {
  // Files over the per-file limit never leave the browser. Gradio's own check would only flash a brief
  // English pop-up; instead their names and sizes go to the upload event (or, when every file is too
  // large, to a hidden button's event), and the server lists them under "Refused" in both languages.
  // The limit is read from the page (data-sanad-max-bytes), so it always matches the server's.
  const zone = (el) => (el && el.closest ? el.closest("#sanad-upload") : null);
  const limit = () => Number(document.querySelector("[data-sanad-max-bytes]")?.dataset.sanadMaxBytes || 0);
  let pending = [];
  window.sanadTakeOversize = () => {
    const out = pending.length ? JSON.stringify(pending) : "";
    pending = [];
    return out;
  };
  const split = (files) => {
    const max = limit();
    const big = [];
    const small = [];
    for (const f of files) (max && f.size > max ? big : small).push(f);
    return [big, small];
  };
  const keepBack = (big) => {
    pending = pending.concat(big.map((f) => ({ name: f.name, size: f.size })));
  };
  const asList = (files) => {
    const dt = new DataTransfer();
    files.forEach((f) => dt.items.add(f));
    return dt.files;
  };
  const refuseAll = () => document.querySelector("#sanad-oversize-go")?.click();

  document.addEventListener(
    "change",
    (ev) => {
      const input = ev.target;
      if (!(input instanceof HTMLInputElement) || input.type !== "file" || !zone(input)) return;
      const [big, small] = split(Array.from(input.files || []));
      if (!big.length) return;
      keepBack(big);
      if (small.length) {
        input.files = asList(small); // Gradio uploads the rest; its event takes the list above along
        return;
      }
      ev.stopImmediatePropagation();
      input.value = "";
      refuseAll();
    },
    true,
  );

  document.addEventListener(
    "drop",
    (ev) => {
      const box = zone(ev.target);
      if (!box || !ev.dataTransfer) return;
      const [big, small] = split(Array.from(ev.dataTransfer.files || []));
      if (!big.length) return;
      ev.preventDefault();
      ev.stopImmediatePropagation();
      keepBack(big);
      const input = box.querySelector('input[type="file"]');
      if (small.length && input) {
        input.files = asList(small);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      } else {
        refuseAll();
      }
    },
    true,
  );
}
