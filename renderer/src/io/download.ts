/**
 * Saves a blob as a file through an <a download> link: a download in a browser,
 * a save dialog in Electron (which asks where for any download it is not told about).
 */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // A started download holds the blob itself; the URL only has to outlive Electron's save dialog opening.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
