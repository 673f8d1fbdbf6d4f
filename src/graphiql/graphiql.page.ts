import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// The packages do not export these files, so find each package's folder through its package.json.
const inPackage = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/** The IDE's files, served from node_modules so the page works on an intranet with no internet. */
export const ASSETS: Record<string, { file: string; type: string }> = {
  'graphiql.min.js': { file: inPackage('graphiql', 'graphiql.min.js'), type: 'application/javascript; charset=utf-8' },
  'graphiql.min.css': { file: inPackage('graphiql', 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  'react.production.min.js': { file: inPackage('react', 'umd/react.production.min.js'), type: 'application/javascript; charset=utf-8' },
  'react-dom.production.min.js': { file: inPackage('react-dom', 'umd/react-dom.production.min.js'), type: 'application/javascript; charset=utf-8' },
};

export const ASSET_PATH = '/graphiql/assets';

const DEFAULT_QUERY = `# 一表通 GraphQL：各部门表单的数据接口。左侧"文档"按钮可浏览全部查询和字段说明。
# 先登录（演示账号见 README），把返回的 token 填入下方"Headers"：{"Authorization": "Bearer <token>"}。
# 在一表通页面（/）登录过的，这里自动带上令牌。
mutation Login {
  login(username: "qiaobei", password: "yibiaotong2026") { token expiresAt account { displayName roleName } }
}

# 示例：桥北社区独居老人信息台账的第一页
query ElderlyLivingAlone {
  elderlyLivingAlone(orgUnit: "500106108001", first: 10) {
    title
    totalCount
    rows { rowNumber name gender age idNumber phone gridName }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export function graphiqlHtml(endpoint: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>一表通 GraphQL</title>
  <link rel="stylesheet" href="${ASSET_PATH}/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">正在加载……</div>
  <script src="${ASSET_PATH}/react.production.min.js"></script>
  <script src="${ASSET_PATH}/react-dom.production.min.js"></script>
  <script src="${ASSET_PATH}/graphiql.min.js"></script>
  <script>
    // The page (/) keeps its login token in this tab's sessionStorage: the IDE sends it too.
    const token = sessionStorage.getItem('ybt.token');
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)}, headers });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)}, defaultEditorToolsVisibility: true,
        defaultHeaders: JSON.stringify(token ? headers : { Authorization: 'Bearer <登录返回的 token>' }, null, 2),
      }),
    );
  </script>
</body>
</html>`;
}
