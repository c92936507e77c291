// Drag-and-drop ordering with @dnd-kit: sortable table rows (tag groups) and sortable chips (tags).
import { createContext, useContext, type CSSProperties, type HTMLAttributes, type ReactNode } from 'react'
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core'
import {
  SortableContext,
  arrayMove,
  rectSortingStrategy,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable'
import { CSS } from '@dnd-kit/utilities'
import { HolderOutlined } from '@ant-design/icons'

type HandleProps = Record<string, unknown>
const Handle = createContext<{ props?: HandleProps; disabled: boolean }>({ disabled: true })

/** A list of ids that can be reordered by drag (mouse, touch or keyboard). */
export function SortableList({
  ids,
  onMove,
  horizontal,
  children,
}: {
  ids: string[]
  onMove: (ids: string[], moved: string) => void
  horizontal?: boolean
  children: ReactNode
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  )
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return
    const from = ids.indexOf(String(active.id))
    const to = ids.indexOf(String(over.id))
    if (from < 0 || to < 0) return
    onMove(arrayMove(ids, from, to), String(active.id))
  }
  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
      <SortableContext items={ids} strategy={horizontal ? rectSortingStrategy : verticalListSortingStrategy}>
        {children}
      </SortableContext>
    </DndContext>
  )
}

/** The row component of an antd Table whose rows are sortable (rowKey = the sortable id). */
export function SortableRow(props: HTMLAttributes<HTMLTableRowElement> & { 'data-row-key': string }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: props['data-row-key'],
  })
  const style: CSSProperties = {
    ...props.style,
    transform: CSS.Translate.toString(transform),
    transition,
    ...(isDragging ? { position: 'relative', zIndex: 9, background: '#f6ffed' } : {}),
  }
  return (
    <Handle.Provider value={{ props: { ...listeners, ...attributes }, disabled: false }}>
      <tr {...props} ref={setNodeRef} style={style} />
    </Handle.Provider>
  )
}

/** The drag handle inside a SortableRow. */
export function RowHandle({ label }: { label: string }) {
  const { props, disabled } = useContext(Handle)
  if (disabled) return null
  return (
    <span {...props} aria-label={label} data-testid="drag-handle" style={{ cursor: 'grab', padding: 4, touchAction: 'none' }}>
      <HolderOutlined />
    </span>
  )
}

/** A sortable inline item (a tag chip); the whole chip is the handle. */
export function SortableItem({ id, children, disabled }: { id: string; children: ReactNode; disabled?: boolean }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id, disabled })
  const style: CSSProperties = {
    display: 'inline-block',
    transform: CSS.Translate.toString(transform),
    transition,
    cursor: disabled ? undefined : 'grab',
    touchAction: 'none',
    opacity: isDragging ? 0.6 : 1,
  }
  return (
    <span ref={setNodeRef} style={style} {...attributes} {...listeners} data-sortable-id={id}>
      {children}
    </span>
  )
}
