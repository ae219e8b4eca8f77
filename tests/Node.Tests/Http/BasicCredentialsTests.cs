using System.Text;
using Swarm.Node.Http;
using Xunit;

namespace Swarm.Node.Tests.Http;

public sealed class BasicCredentialsTests
{
    private static string Basic(string userPass) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(userPass));

    [Fact]
    public void Only_the_configured_user_and_password_pass()
    {
        var c = new BasicCredentials("alice", "open sesame");
        Assert.True(c.Required);
        Assert.True(c.Accepts(Basic("alice:open sesame")));
        Assert.True(c.Accepts("basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:open sesame"))));
        Assert.False(c.Accepts(Basic("alice:open")));
        Assert.False(c.Accepts(Basic("bob:open sesame")));
        Assert.False(c.Accepts(null));
        Assert.False(c.Accepts("Bearer abc"));
        Assert.False(c.Accepts("Basic !!not-base64!!"));
    }

    [Fact]
    public void Without_credentials_everything_passes()
    {
        var none = new BasicCredentials(string.Empty, string.Empty);
        Assert.False(none.Required);
        Assert.True(none.Accepts(null));
    }
}
