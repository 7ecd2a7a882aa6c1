/**
 * The files of a drop: plain files as they are, and dropped folders walked for their files, so a
 * folder of good parts can be dropped whole. Hidden files (.DS_Store and the like) are left out.
 * The DataTransfer is only readable during the drop event, so its entries are taken at once.
 */

export function droppedFiles(data: DataTransfer): Promise<File[]> {
  const items = [...data.items].filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry());
  if (!entries.some((entry) => entry?.isDirectory)) return Promise.resolve([...data.files]);
  const plain = items.map((item) => item.getAsFile());
  return Promise.all(entries.map((entry, i) => (entry ? filesOf(entry) : Promise.resolve(plain[i] ? [plain[i]] : [])))).then((lists) => lists.flat());
}

async function filesOf(entry: FileSystemEntry): Promise<File[]> {
  if (entry.name.startsWith('.')) return [];
  if (entry.isFile) return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries answers in batches until it answers with none
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  return (await Promise.all(children.map(filesOf))).flat();
}
