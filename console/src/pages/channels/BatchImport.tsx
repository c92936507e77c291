// 批量导入渠道活码: upload an XLSX (or CSV), see every row as it would be created with its
// errors, then create them all at once (one bad row and nothing is created).
import { useState } from 'react'
import { Alert, Button, Input, Modal, Space, Table, Tag, Typography, Upload } from 'antd'
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons'
import type { Schemas } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { upload } from '../content/shared'

type Preview = Schemas['BatchPreview']
type Row = Schemas['BatchRow']

/** The API's row errors in the operator's language (the common ones). */
function rowError(e: string, tr: (zh: string, en: string) => string): string {
  let m = /^unknown employee: (.+)$/.exec(e)
  if (m) return tr(`找不到员工「${m[1]}」`, e)
  m = /^unknown tag: (.+)$/.exec(e)
  if (m) return tr(`找不到标签「${m[1]}」`, e)
  m = /^(\d+) employees are named (.+): use their account ids$/.exec(e)
  if (m) return tr(`有 ${m[1]} 位员工叫「${m[2]}」，请填写员工账号`, e)
  m = /^several tags are named (.+): write it as/.exec(e)
  if (m) return tr(`有多个标签叫「${m[1]}」，请写成「标签组/标签」`, e)
  m = /^the name (.+) appears twice in the file$/.exec(e)
  if (m) return tr(`名称「${m[1]}」在文件中重复`, e)
  m = /^a channel code named (.+) already exists$/.exec(e)
  if (m) return tr(`已有名为「${m[1]}」的活码`, e)
  if (e === 'the name is empty') return tr('名称为空', e)
  if (e.startsWith('a channel code needs at least one employee')) return tr('至少需要一位员工', e)
  return e
}

export default function BatchImport({ open, onClose }: { open: boolean; onClose: (created: number) => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const [file, setFile] = useState<File | null>(null)
  const [groupName, setGroupName] = useState('')
  const [preview, setPreview] = useState<Preview | null>(null)
  const [busy, setBusy] = useState(false)
  const form = (f: File) => {
    const fd = new FormData()
    fd.append('file', f)
    fd.append('group_name', groupName)
    return fd
  }
  const check = async (f: File) => {
    setFile(f)
    setBusy(true)
    setPreview((await act(() => upload<Preview>('/acquisition/channels/batch/preview', form(f)))) ?? null)
    setBusy(false)
  }
  const close = (created = 0) => {
    setFile(null)
    setPreview(null)
    setGroupName('')
    onClose(created)
  }
  const create = async () => {
    if (!file || !preview) return
    setBusy(true)
    const done = await act(
      () => upload<{ created: unknown[] }>('/acquisition/channels/batch', form(file)),
      tr(`已创建 ${preview.valid} 个渠道活码`, `${preview.valid} channel codes created`),
    )
    setBusy(false)
    if (done) close(done.created.length)
  }
  return (
    <Modal
      open={open}
      width={960}
      title={tr('批量导入渠道活码', 'Import channel codes')}
      onCancel={() => close()}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={() => close()}>{tr('取消', 'Cancel')}</Button>
          <Button
            type="primary"
            loading={busy && !!preview}
            disabled={!preview || preview.invalid > 0 || preview.valid === 0}
            onClick={() => void create()}
            data-testid="batch-create"
          >
            {preview ? tr(`创建 ${preview.valid} 个活码`, `Create ${preview.valid} codes`) : tr('创建', 'Create')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {tr(
            '每行一个活码：渠道名称、员工（姓名或账号，多人用逗号分隔）必填；可选渠道分组、标签（标签名或「标签组/标签」）、欢迎语、备注模板、免验证（是/否）。先检查，全部无误后再创建。',
            'One code per row: name and employees (names or account ids, comma separated) are required; group, tags (name or group/name), welcome, remark template and skip verification (yes/no) are optional. Check first; create once every row is right.',
          )}
        </Typography.Paragraph>
        <Space wrap>
          <Button icon={<DownloadOutlined />} href="/api/v1/acquisition/channels/batch/template" data-testid="batch-template">
            {tr('下载模板', 'Download the template')}
          </Button>
          <Input
            style={{ width: 220 }}
            maxLength={100}
            value={groupName}
            onChange={(e) => setGroupName(e.target.value)}
            placeholder={tr('默认分组（文件未填写时）', 'Default group (when a row has none)')}
            data-testid="batch-group"
          />
          <Upload
            accept=".xlsx,.csv"
            showUploadList={false}
            beforeUpload={(f) => {
              void check(f)
              return false
            }}
          >
            <Button type="primary" ghost icon={<UploadOutlined />} loading={busy && !preview} data-testid="batch-upload">
              {file ? tr('换一个文件', 'Choose another file') : tr('上传文件并检查', 'Upload and check')}
            </Button>
          </Upload>
          {file && <Typography.Text type="secondary">{file.name}</Typography.Text>}
        </Space>
        {preview && (
          <Alert
            type={preview.invalid ? 'error' : 'success'}
            showIcon
            data-testid="batch-summary"
            title={
              preview.invalid
                ? tr(
                    `${preview.invalid} 行有错误，修改文件后重新上传；${preview.valid} 行无误。`,
                    `${preview.invalid} rows have errors: fix the file and upload it again; ${preview.valid} rows are fine.`,
                  )
                : tr(`全部 ${preview.valid} 行无误，可以创建。`, `All ${preview.valid} rows are fine.`)
            }
          />
        )}
        {preview && (
          <Table<Row>
            rowKey="row"
            size="small"
            data-testid="batch-rows"
            dataSource={preview.rows}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 860 }}
            rowClassName={(r) => (r.errors.length ? 'batch-row-error' : '')}
            columns={[
              { title: tr('行', 'Row'), dataIndex: 'row', width: 56 },
              { title: tr('渠道名称', 'Name'), dataIndex: 'name' },
              { title: tr('分组', 'Group'), dataIndex: 'group_name', render: (g: string) => g || '—' },
              { title: tr('员工', 'Employees'), dataIndex: 'employees', render: (e: string[]) => e.join('、') || '—' },
              {
                title: tr('标签', 'Tags'),
                dataIndex: 'tags',
                render: (t: string[]) => (t.length ? t.map((x) => <Tag key={x}>{x}</Tag>) : '—'),
              },
              {
                title: tr('免验证', 'Auto-accept'),
                dataIndex: 'skip_verify',
                width: 80,
                render: (v: boolean) => (v ? tr('是', 'Yes') : tr('否', 'No')),
              },
              {
                title: tr('检查结果', 'Check'),
                key: 'errors',
                render: (_: unknown, r) =>
                  r.errors.length ? (
                    <Space orientation="vertical" size={0} data-testid="batch-row-errors">
                      {r.errors.map((e) => (
                        <Typography.Text key={e} type="danger">
                          {rowError(e, tr)}
                        </Typography.Text>
                      ))}
                    </Space>
                  ) : (
                    <Tag color="green">{tr('无误', 'OK')}</Tag>
                  ),
              },
            ]}
          />
        )}
      </Space>
    </Modal>
  )
}
