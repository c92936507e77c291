// WeCom orders tag groups and tags by `order`, larger first. After a drag, the fewest PATCH
// writes that make the stored orders agree with the new visual order.

export interface Ordered {
  id: string
  order: number
}

/** `list` is in its new visual order and `moved` is the dragged id: the writes to make. */
export function orderWrites(list: Ordered[], moved: string): Ordered[] {
  const i = list.findIndex((x) => x.id === moved)
  if (i < 0) return []
  const others = list.filter((x) => x.id !== moved)
  const strict = others.every((x, k) => k === 0 || others[k - 1].order > x.order)
  if (strict) {
    const prev = list[i - 1]?.order
    const next = list[i + 1]?.order
    let order: number | null = null
    if (prev === undefined && next === undefined) order = list[i].order
    else if (prev === undefined) order = next! + 1
    else if (next === undefined) order = prev - 1 >= 0 ? prev - 1 : null
    else if (prev - next >= 2) order = Math.floor((prev + next) / 2)
    if (order !== null) return order === list[i].order ? [] : [{ id: moved, order }]
  }
  // no room between the neighbours (or ties): renumber, writing only the orders that change
  const n = list.length
  return list.map((x, k) => ({ id: x.id, order: (n - k) * 10 })).filter((w, k) => w.order !== list[k].order)
}
