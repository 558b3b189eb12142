// Progressive enhancement: adds a "Copy" button after each element marked data-copy.
// Without JavaScript the text stays selectable in its box.
document.querySelectorAll('[data-copy]').forEach((box) => {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'nhsuk-button nhsuk-button--secondary nhsuk-button--small';
  button.textContent = box.getAttribute('data-copy') || 'Copy';
  const status = document.createElement('span');
  status.setAttribute('role', 'status');
  status.className = 'nhsuk-body-s nhsuk-u-margin-left-2';
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(box.value ?? box.textContent ?? '');
      status.textContent = 'Copied';
    } catch {
      box.select?.();
      status.textContent = 'Select the text and copy it';
    }
  });
  box.insertAdjacentElement('afterend', status);
  box.insertAdjacentElement('afterend', button);
});
