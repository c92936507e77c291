// Import corp phrases from XLSX: a preview names each bad row; nothing is written until every
// row is right (the API refuses the whole file otherwise).
import { useState } from 'react'
import { Alert, Button, Modal, Space, Table, Typography, Upload } from 'antd'
import { UploadOutlined } from '@ant-design/icons'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { upload } from '../content/shared'
import type { PhraseImport } from './shared'

export default function ImportModal({ open, onClose }: { open: boolean; onClose: (imported: boolean) => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const [file, setFile] = useState<File | null>(null)
  const [result, setResult] = useState<PhraseImport | null>(null)
  const [busy, setBusy] = useState(false)
  const form = () => {
    const fd = new FormData()
    if (file) fd.append('file', file)
    return fd
  }
  const check = async (f: File) => {
    setFile(f)
    setResult(null)
    const fd = new FormData()
    fd.append('file', f)
    setBusy(true)
    const r = await act(() => upload<PhraseImport>('/phrases/import/preview', fd))
    setBusy(false)
    if (r) setResult(r)
  }
  const run = async () => {
    setBusy(true)
    const r = await act(() => upload<PhraseImport>('/phrases/import', form()), tr('导入完成', 'Imported'))
    setBusy(false)
    if (r) {
      setFile(null)
      setResult(null)
      onClose(true)
    }
  }
  const ok = !!result && result.errors.length === 0 && result.rows > 0
  return (
    <Modal
      open={open}
      title={tr('导入话术（XLSX）', 'Import phrases (XLSX)')}
      onCancel={() => onClose(false)}
      destroyOnHidden
      footer={
        <Button type="primary" disabled={!ok} loading={busy} onClick={() => void run()} data-testid="phrase-import-run">
          {result ? tr(`导入 ${result.rows} 条`, `Import ${result.rows}`) : tr('导入', 'Import')}
        </Button>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary">
          {tr(
            '列：文件夹、类型（文本 / 链接 / 小程序）、标题、内容、链接、描述、封面、小程序AppID、小程序页面、可见部门（用“、”分隔，留空为全员）。导出的文件可直接作为模板。文件夹按名称自动创建；图片话术请在页面上传。',
            'Columns: 文件夹 (folder), 类型 (文本 / 链接 / 小程序), 标题, 内容, 链接, 描述, 封面, 小程序AppID, 小程序页面, 可见部门 (departments, "、"-separated; empty: everyone). An export is a ready template. Folders are created by name; image phrases are uploaded on the page.',
          )}
        </Typography.Paragraph>
        <Upload accept=".xlsx" maxCount={1} showUploadList={false} beforeUpload={(f) => (void check(f), false)}>
          <Button icon={<UploadOutlined />} loading={busy && !result}>
            {file ? file.name : tr('选择文件', 'Choose file')}
          </Button>
        </Upload>
        {result && result.errors.length === 0 && (
          <Alert
            type="success"
            showIcon
            message={tr(`共 ${result.rows} 条，均可导入`, `${result.rows} rows, all valid`)}
            description={result.new_folders.length ? tr(`将新建文件夹：${result.new_folders.join('、')}`, `New folders: ${result.new_folders.join(', ')}`) : undefined}
          />
        )}
        {result && result.errors.length > 0 && (
          <>
            <Alert type="error" showIcon message={tr(`${result.errors.length} 行有错误，修改后重新选择文件；在此之前不会导入任何内容。`, `${result.errors.length} rows have errors; fix them and choose the file again. Nothing is imported until then.`)} />
            <Table
              size="small"
              rowKey="row"
              pagination={false}
              dataSource={result.errors}
              columns={[
                { title: tr('行', 'Row'), dataIndex: 'row', width: 60 },
                { title: tr('问题', 'Problem'), dataIndex: 'message' },
              ]}
              data-testid="phrase-import-errors"
            />
          </>
        )}
      </Space>
    </Modal>
  )
}
